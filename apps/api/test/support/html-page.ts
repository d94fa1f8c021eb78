// Reading the api's HTML pages as a browser would, without a browser: the visible text, and the
// form with its fields (what a submission sends).
export interface PageForm {
  method: string;
  action: string;
  /** Hidden inputs by name, values decoded: what the browser sends without the user typing. */
  hidden: Record<string, string>;
  /** The names of the inputs the user fills in, in page order. */
  visible: string[];
  /** The labels of its submit buttons. */
  buttons: string[];
}

/** The page's one form, or undefined when it has none; throws when it has several. */
export function formOf(html: string): PageForm | undefined {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  if (forms.length > 1) throw new Error(`expected at most one form, found ${forms.length}`);
  const [form] = forms;
  if (!form) return undefined;
  const hidden: Record<string, string> = {};
  const visible: string[] = [];
  for (const [, attributes = ''] of form[2]!.matchAll(/<input\b([^>]*)>/g)) {
    const name = attribute(attributes, 'name');
    if (name === undefined) continue;
    if (attribute(attributes, 'type') === 'hidden') hidden[name] = attribute(attributes, 'value') ?? '';
    else visible.push(name);
  }
  const buttons = [...form[2]!.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/g)].map(([, label = '']) =>
    textOf(label),
  );
  return {
    method: (attribute(form[1]!, 'method') ?? 'get').toLowerCase(),
    action: attribute(form[1]!, 'action') ?? '',
    hidden,
    visible,
    buttons,
  };
}

/** What a reader sees: the body's text without tags, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  const body = /<body\b[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? html;
  return decodeEntities(body.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text of the page's <style> element, exactly (what a CSP hash covers). */
export function stylesheetOf(html: string): string | undefined {
  return /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}="([^"]*)"`).exec(attributes);
  return match ? decodeEntities(match[1]!) : undefined;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, code: string) => {
    if (code.startsWith('#x') || code.startsWith('#X'))
      return String.fromCodePoint(parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
    return named[code.toLowerCase()] ?? entity;
  });
}
