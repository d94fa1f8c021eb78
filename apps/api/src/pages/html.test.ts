import { describe, expect, it } from 'vitest';
import { html } from './html.js';

describe('html', () => {
  it('escapes interpolated text, so a value cannot open a tag or leave an attribute', () => {
    const name = `<script>alert(1)</script>" onclick="x' &`;
    expect(html`<p title="${name}">${name}</p>`.markup).toBe(
      '<p title="&#60;script&#62;alert(1)&#60;/script&#62;&#34; onclick=&#34;x&#39; &#38;">' +
        '&#60;script&#62;alert(1)&#60;/script&#62;&#34; onclick=&#34;x&#39; &#38;</p>',
    );
  });

  it('inserts markup made by html as it is, lists joined, and nothing for false, null and undefined', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const list = html`<ul>${items}</ul>${false}${null}${undefined}${0}`;
    expect(list.markup).toBe('<ul><li>a&#60;b</li><li>c</li></ul>0');
  });
});
