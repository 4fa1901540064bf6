/**
 * A strict JSON parser (RFC 8259) for safetensors headers.
 *
 * `JSON.parse` can't be used: it keeps the last of duplicate keys silently (the format forbids
 * duplicates), rounds integers past 2^53, and lets `"__proto__"` keys touch prototypes. This
 * parser keeps objects as ordered `Map`s, numbers as their source text, rejects duplicate keys
 * at every level, lone surrogates, and nesting deeper than {@link MAX_DEPTH}, and reports
 * every problem as a {@link JsonSyntaxError} with its position.
 */

import { quote } from "./errors.js";

/** A parsed JSON value; objects keep their key order, numbers keep their source text. */
export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | Map<string, JsonValue>;

/** A JSON number, as written. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A syntax problem; `position` is a character index into the parsed text. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at character ${position}`);
  }
}

/** Deepest nesting accepted (serde_json, which the reference reader uses, stops at 128). */
export const MAX_DEPTH = 128;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** Parses `text` as one JSON value (surrounded by optional whitespace). */
export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (reason: string, at = pos): never => {
    throw new JsonSyntaxError(reason, at);
  };

  const describe = (at: number): string => {
    if (at >= text.length) return "end of header";
    const c = text.codePointAt(at)!;
    return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  };

  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };

  const expect = (ch: string): void => {
    if (text[pos] !== ch) fail(`expected '${ch}' but found ${describe(pos)}`);
    pos++;
  };

  const parseString = (): string => {
    const start = pos;
    expect('"');
    let out = "";
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(`control character ${describe(pos)} in a string (escape it)`);
      if (c >= 0xd800 && c <= 0xdfff) {
        // Unreachable for text decoded from valid UTF-8, kept for strings from elsewhere.
        const pair = c <= 0xdbff && pos + 1 < text.length && (text.charCodeAt(pos + 1) & 0xfc00) === 0xdc00;
        if (!pair) fail("lone surrogate in a string");
        pos += 2;
        continue;
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      const esc = text[pos + 1];
      if (esc === undefined) fail("unterminated string", start);
      if (esc === "u") {
        const unit = readHex(pos + 2);
        pos += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) fail("lone low surrogate escape in a string", pos - 6);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (text[pos] !== "\\" || text[pos + 1] !== "u") fail("lone high surrogate escape in a string", pos - 6);
          const low = readHex(pos + 2);
          if (low < 0xdc00 || low > 0xdfff) fail("high surrogate escape not followed by a low surrogate", pos);
          pos += 6;
          out += String.fromCharCode(unit, low);
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        const replacement = ESCAPES[esc];
        if (replacement === undefined) fail(`invalid escape '\\${esc}' in a string`);
        out += replacement;
        pos += 2;
      }
      chunk = pos;
    }
  };

  const readHex = (at: number): number => {
    const digits = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail("invalid \\u escape (needs 4 hex digits)", at - 2);
    return parseInt(digits, 16);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    skipWhitespace();
    const c = text[pos];
    if (c === "{") return parseObject(depth);
    if (c === "[") return parseArray(depth);
    if (c === '"') return parseString();
    if (c === "t" && text.startsWith("true", pos)) return (pos += 4), true;
    if (c === "f" && text.startsWith("false", pos)) return (pos += 5), false;
    if (c === "n" && text.startsWith("null", pos)) return (pos += 4), null;
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (m === null) return fail(`invalid number starting with ${describe(pos)}`);
      pos += m[0].length;
      const next = text[pos];
      if (next !== undefined && /[0-9.eE+-]/.test(next)) fail(`invalid number '${m[0]}${next}…'`, pos - m[0].length);
      return new JsonNumber(m[0]);
    }
    return fail(`expected a value but found ${describe(pos)}`);
  };

  const parseArray = (depth: number): JsonValue[] => {
    expect("[");
    const out: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === "]") return pos++, out;
    for (;;) {
      out.push(parseValue(depth + 1));
      skipWhitespace();
      if (text[pos] === ",") pos++;
      else if (text[pos] === "]") return pos++, out;
      else fail(`expected ',' or ']' in an array but found ${describe(pos)}`);
    }
  };

  const parseObject = (depth: number): Map<string, JsonValue> => {
    expect("{");
    const out = new Map<string, JsonValue>();
    skipWhitespace();
    if (text[pos] === "}") return pos++, out;
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') fail(`expected a string key but found ${describe(pos)}`);
      const keyAt = pos;
      const key = parseString();
      if (out.has(key)) fail(`duplicate key ${quote(key)}`, keyAt);
      skipWhitespace();
      expect(":");
      out.set(key, parseValue(depth + 1));
      skipWhitespace();
      if (text[pos] === ",") pos++;
      else if (text[pos] === "}") return pos++, out;
      else fail(`expected ',' or '}' in an object but found ${describe(pos)}`);
    }
  };

  const value = parseValue(1);
  skipWhitespace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);
  return value;
}
