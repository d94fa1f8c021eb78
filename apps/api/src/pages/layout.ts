// The frame of the api's few HTML pages (the ones mail links open) and how they are sent. No
// script, no external asset: one inline stylesheet, allowed by its hash, so the CSP stays as
// strict as the JSON api's (`default-src 'none'`). Forms may post only to this api.
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { html, SafeHtml } from './html.js';

const STYLESHEET = [
  'body{font-family:system-ui,sans-serif;line-height:1.5;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}',
  'label{display:block;margin-top:1rem;font-weight:600}',
  'input{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit}',
  'button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}',
  '.problem{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}',
  '.done{border-left:4px solid #1b7f3b;padding:.5rem 1rem;background:#e9f6ee}',
  '.hint{color:#555;font-size:.9rem}',
].join('');

const STYLE_HASH = createHash('sha256').update(STYLESHEET).digest('base64');
// Built here, not in the page's template: the hash covers every character between the tags.
const STYLE_ELEMENT = new SafeHtml(`<style>${STYLESHEET}</style>`);

/** The pages' Content-Security-Policy: nothing but the stylesheet above; forms post here only. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface Page {
  /** The window title and the page's heading. */
  title: string;
  body: SafeHtml;
}

export function renderPage({ title, body }: Page): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Referral Network Hub</title>
        ${STYLE_ELEMENT}
      </head>
      <body>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `.markup;
}

/**
 * Sends a page. The URL of a mail-link page holds a one-time token: no cache may keep the page
 * and no Referer may carry its URL anywhere (the security headers already say so for every
 * response; set again here, as this is what protects the token).
 */
export function sendPage(res: Response, status: number, page: Page): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': PAGE_CSP,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    })
    .send(renderPage(page));
}
