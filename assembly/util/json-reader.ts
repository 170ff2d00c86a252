// A strict JSON reader (RFC 8259) for untrusted plugin configuration. It never traps: every defect —
// bad syntax, lone control characters, bad escapes, duplicate keys, nesting deeper than MAX_DEPTH, trailing
// data — becomes an error message with the line and column, so configure can refuse the config cleanly.

export enum JsonKind { Null, Bool, Number, String, Array, Object }

const MAX_DEPTH = 32;
/** Objects with more members than this find duplicate keys through a hash set instead of a scan. */
const SCANNED_KEYS = 8;

/** A parsed JSON value. Objects keep their keys in document order. */
export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  number: f64 = 0;
  text: string = "";
  /** Array items or object members; scalars share one empty list (only arrays and objects allocate). */
  items: Array<JsonValue> = NO_ITEMS;
  /** Object member names; empty (shared) for everything else. */
  keys: Array<string> = NO_KEYS;

  /** The member named `key` of an object, or null. */
  get(key: string): JsonValue | null {
    const index = this.keys.indexOf(key);
    return index < 0 ? null : unchecked(this.items[index]);
  }

  /** A whole number that an i64 holds exactly (JSON Schema's "integer": 3000.0 counts, 1e400 does not). */
  isInteger(): bool {
    return this.kind == JsonKind.Number && isFinite(this.number) && Math.floor(this.number) == this.number
      && Math.abs(this.number) <= 9007199254740991.0;
  }
}

// Shared by every scalar value and never written to.
const NO_ITEMS = new Array<JsonValue>(0);
const NO_KEYS = new Array<string>(0);
const NO_UNITS = new Uint16Array(0);

/** At most 64 characters of `text` for a message (a key or number may be a megabyte long). */
export function excerpt(text: string): string {
  return text.length <= 64 ? text : text.substring(0, 61) + "...";
}

/** The JSON Schema type name of a value, as used in validation messages. */
export function jsonTypeName(value: JsonValue): string {
  switch (value.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "boolean";
    case JsonKind.Number: return value.isInteger() ? "integer" : "number";
    case JsonKind.String: return "string";
    case JsonKind.Array: return "array";
    default: return "object";
  }
}

export class JsonResult {
  constructor(public value: JsonValue | null, public error: string) {}
}

/** Parses a whole document; `error` says what is wrong and where when `value` is null. */
export function parseJson(text: string, maxDepth: i32 = MAX_DEPTH): JsonResult {
  const reader = new Reader(text, maxDepth);
  const value = reader.value(0);
  if (value != null) {
    reader.skipSpace();
    if (reader.pos < text.length) return new JsonResult(null, reader.describe("unexpected data after the JSON value"));
    return new JsonResult(value, "");
  }
  return new JsonResult(null, reader.error);
}

class Reader {
  pos: i32 = 0;
  error: string = "";
  constructor(public text: string, public maxDepth: i32) {}

  fail(message: string): JsonValue | null {
    if (this.error.length == 0) this.error = this.describe(message);
    return null;
  }

  describe(message: string): string {
    let line = 1, column = 1;
    const end = min(this.pos, this.text.length);
    for (let i = 0; i < end; i++) {
      if (this.text.charCodeAt(i) == 10) { line++; column = 1; } else column++;
    }
    return message + " at line " + line.toString() + " column " + column.toString();
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  literal(word: string): bool {
    if (this.text.length - this.pos < word.length) return false;
    for (let i = 0; i < word.length; i++) {
      if (this.text.charCodeAt(this.pos + i) != word.charCodeAt(i)) return false;
    }
    this.pos += word.length;
    return true;
  }

  value(depth: i32): JsonValue | null {
    this.skipSpace();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth + 1);
    if (c == 0x5b) return this.array(depth + 1);
    if (c == 0x22) {
      const text = this.string();
      if (text == null) return null;
      const value = new JsonValue();
      value.kind = JsonKind.String;
      value.text = text;
      return value;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    const value = new JsonValue();
    if (this.literal("true")) { value.kind = JsonKind.Bool; value.bool = true; return value; }
    if (this.literal("false")) { value.kind = JsonKind.Bool; return value; }
    if (this.literal("null")) return value;
    return this.fail(c < 0 ? "unexpected end of input" : "unexpected character");
  }

  object(depth: i32): JsonValue | null {
    if (depth > this.maxDepth) return this.fail("nesting deeper than " + this.maxDepth.toString() + " levels");
    this.pos++;
    const value = new JsonValue();
    value.kind = JsonKind.Object;
    const keys = new Array<string>();
    value.keys = keys;
    value.items = new Array<JsonValue>();
    this.skipSpace();
    if (this.peek() == 0x7d) { this.pos++; return value; }
    // Few members are compared with each other; many go through a hash set (a scan of thousands took seconds).
    let seen: Set<string> | null = null;
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail("expected a string key");
      const keyStart = this.pos;
      const key = this.string();
      if (key == null) return null;
      if (seen == null && keys.length == SCANNED_KEYS) {
        seen = new Set<string>();
        for (let i = 0; i < keys.length; i++) seen.add(unchecked(keys[i]));
      }
      if (seen != null ? seen.has(key) : keys.includes(key)) {
        this.pos = keyStart;
        return this.fail("duplicate key \"" + excerpt(key) + "\"");
      }
      if (seen != null) seen.add(key);
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      const member = this.value(depth);
      if (member == null) return null;
      value.keys.push(key);
      value.items.push(member);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return value;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or '}'"); }
    }
  }

  array(depth: i32): JsonValue | null {
    if (depth > this.maxDepth) return this.fail("nesting deeper than " + this.maxDepth.toString() + " levels");
    this.pos++;
    const value = new JsonValue();
    value.kind = JsonKind.Array;
    value.items = new Array<JsonValue>();
    this.skipSpace();
    if (this.peek() == 0x5d) { this.pos++; return value; }
    while (true) {
      const item = this.value(depth);
      if (item == null) return null;
      value.items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return value;
      if (c != 0x2c) { this.pos--; return this.fail("expected ',' or ']'"); }
    }
  }

  digits(): i32 {
    const start = this.pos;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    return this.pos - start;
  }

  number(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    if (this.peek() == 0x30) {
      this.pos++;
      if (this.peek() >= 0x30 && this.peek() <= 0x39) return this.fail("leading zero in a number");
    } else if (this.digits() == 0) return this.fail("expected a digit");
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail("expected a digit after '.'");
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      if (this.digits() == 0) return this.fail("expected a digit in the exponent");
    }
    const value = new JsonValue();
    value.kind = JsonKind.Number;
    value.text = this.text.substring(start, this.pos);
    value.number = parseFloat(value.text);
    return value;
  }

  hex4(): i32 {
    if (this.text.length - this.pos < 4) return -1;
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charCodeAt(this.pos + i);
      let digit = -1;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
      if (digit < 0) return -1;
      code = (code << 4) | digit;
    }
    this.pos += 4;
    return code;
  }

  /**
   * A string literal from the opening quote. Escapes are decoded into one buffer of code units (never
   * longer than the literal), so a megabyte of escapes costs one pass, not one string copy each.
   */
  string(): string | null {
    const text = this.text;
    const length = text.length;
    const start = ++this.pos;
    // Where the literal ends (or the input does), and whether it needs decoding at all.
    let end = start;
    let escapes = false;
    while (end < length) {
      const c = text.charCodeAt(end);
      if (c == 0x22) break;
      if (c == 0x5c) { escapes = true; end++; }
      end++;
    }
    if (end > length) end = length;
    const units = escapes ? new Uint16Array(end - start) : NO_UNITS;
    let count = 0;
    while (this.pos < end) {
      const c = text.charCodeAt(this.pos);
      if (c < 0x20) { this.fail("control character in a string"); return null; }
      this.pos++;
      if (c != 0x5c) {
        if (escapes) unchecked(units[count++] = <u16>c);
        continue;
      }
      const e = this.peek();
      this.pos++;
      let decoded: i32 = e;
      if (e == 0x62) decoded = 0x08;
      else if (e == 0x66) decoded = 0x0c;
      else if (e == 0x6e) decoded = 0x0a;
      else if (e == 0x72) decoded = 0x0d;
      else if (e == 0x74) decoded = 0x09;
      else if (e == 0x75) {
        decoded = this.hex4();
        if (decoded < 0) { this.fail("bad \\u escape"); return null; }
      } else if (e != 0x22 && e != 0x5c && e != 0x2f) { this.pos--; this.fail("bad escape"); return null; }
      unchecked(units[count++] = <u16>decoded);
    }
    if (end >= length) { this.fail("unterminated string"); return null; }
    this.pos = end + 1;
    if (!escapes) return text.substring(start, end);
    return String.UTF16.decodeUnsafe(units.dataStart, <usize>count << 1);
  }
}
