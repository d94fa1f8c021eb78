// A strict parser for the parts of RFC 8941 (Structured Field Values for HTTP) that
// the RateLimit drafts use: Lists, Dictionaries, Items, Parameters and bare items.
// Tests parse our headers with it, so a malformed header fails the test.

export class Token {
  constructor(readonly value: string) {}
}

/** A Decimal (Integers are plain numbers), kept apart so an Integer check rejects `1.0`. */
export class Decimal {
  constructor(readonly value: number) {}
}

export type BareItem = number | Decimal | string | boolean | Token | Uint8Array;
export interface Item {
  value: BareItem;
  params: Map<string, BareItem>;
}
export interface InnerList {
  items: Item[];
  params: Map<string, BareItem>;
}

class Input {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  take(): string {
    return this.text[this.pos++] ?? '';
  }
  skip(chars: string): void {
    while (!this.done && chars.includes(this.peek())) this.pos += 1;
  }
  fail(what: string): never {
    throw new Error(`structured field: ${what} at ${this.pos} in ${JSON.stringify(this.text)}`);
  }
}

export function parseList(text: string): Array<Item | InnerList> {
  return whole(text, (input) => {
    const members: Array<Item | InnerList> = [];
    while (!input.done) {
      members.push(itemOrInnerList(input));
      input.skip(' \t');
      if (input.done) return members;
      if (input.take() !== ',') input.fail('expected ","');
      input.skip(' \t');
      if (input.done) input.fail('trailing ","');
    }
    return members;
  });
}

export function parseDictionary(text: string): Map<string, Item | InnerList> {
  return whole(text, (input) => {
    const members = new Map<string, Item | InnerList>();
    while (!input.done) {
      const name = key(input);
      if (input.peek() === '=') {
        input.take();
        members.set(name, itemOrInnerList(input));
      } else {
        members.set(name, { value: true, params: parameters(input) });
      }
      input.skip(' \t');
      if (input.done) return members;
      if (input.take() !== ',') input.fail('expected ","');
      input.skip(' \t');
      if (input.done) input.fail('trailing ","');
    }
    return members;
  });
}

export function parseItem(text: string): Item {
  return whole(text, item);
}

function whole<T>(text: string, parse: (input: Input) => T): T {
  const input = new Input(text);
  input.skip(' ');
  const value = parse(input);
  input.skip(' ');
  if (!input.done) input.fail('unexpected trailing characters');
  return value;
}

function itemOrInnerList(input: Input): Item | InnerList {
  if (input.peek() !== '(') return item(input);
  input.take();
  const items: Item[] = [];
  for (;;) {
    input.skip(' ');
    if (input.peek() === ')') {
      input.take();
      return { items, params: parameters(input) };
    }
    items.push(item(input));
    if (input.peek() !== ' ' && input.peek() !== ')') input.fail('expected " " or ")"');
  }
}

function item(input: Input): Item {
  return { value: bareItem(input), params: parameters(input) };
}

function parameters(input: Input): Map<string, BareItem> {
  const params = new Map<string, BareItem>();
  while (input.peek() === ';') {
    input.take();
    input.skip(' ');
    const name = key(input);
    let value: BareItem = true;
    if (input.peek() === '=') {
      input.take();
      value = bareItem(input);
    }
    params.set(name, value);
  }
  return params;
}

function key(input: Input): string {
  if (!/[a-z*]/.test(input.peek())) input.fail('key must start with a-z or "*"');
  let out = '';
  while (/[a-z0-9_\-.*]/.test(input.peek()) && !input.done) out += input.take();
  return out;
}

function bareItem(input: Input): BareItem {
  const c = input.peek();
  if (c === '-' || /[0-9]/.test(c)) return number(input);
  if (c === '"') return string(input);
  if (c === '*' || /[A-Za-z]/.test(c)) return token(input);
  if (c === ':') return bytes(input);
  if (c === '?') {
    input.take();
    const b = input.take();
    if (b !== '0' && b !== '1') input.fail('bad boolean');
    return b === '1';
  }
  return input.fail('unknown bare item');
}

function number(input: Input): number | Decimal {
  const match = /^-?(\d{1,15})(\.\d{1,3})?/.exec(input.text.slice(input.pos));
  if (!match) return input.fail('bad number');
  if (match[2] && match[1]!.length > 12) input.fail('decimal with more than 12 integer digits');
  const rest = input.text.slice(input.pos + match[0].length);
  if (/^[0-9.]/.test(rest)) input.fail('number too long');
  input.pos += match[0].length;
  return match[2] ? new Decimal(Number(match[0])) : Number(match[0]);
}

function string(input: Input): string {
  input.take();
  let out = '';
  for (;;) {
    if (input.done) input.fail('unterminated string');
    const c = input.take();
    if (c === '\\') {
      const next = input.take();
      if (next !== '"' && next !== '\\') input.fail('bad escape');
      out += next;
    } else if (c === '"') {
      return out;
    } else if (c < ' ' || c > '~') {
      input.fail('character outside %x20-7E in string');
    } else {
      out += c;
    }
  }
}

function token(input: Input): Token {
  let out = input.take();
  while (!input.done && /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(input.peek())) out += input.take();
  return new Token(out);
}

function bytes(input: Input): Uint8Array {
  input.take();
  const end = input.text.indexOf(':', input.pos);
  if (end < 0) input.fail('unterminated byte sequence');
  const body = input.text.slice(input.pos, end);
  if (!/^[A-Za-z0-9+/=]*$/.test(body)) input.fail('bad base64');
  input.pos = end + 1;
  return Uint8Array.from(Buffer.from(body, 'base64'));
}

/** Asserts a non-negative Integer and returns it. */
export function nonNegativeInteger(value: BareItem | undefined, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new Error(`${what} must be a non-negative Integer (got ${String(value)})`);
  return value;
}
