// Builds JSON text (events for the Lambda Invoke API, error bodies). Strings are escaped per RFC 8259;
// lone surrogates are written as \u escapes so the output is always valid UTF-8 once encoded.

/** JSON string literal of `text`. */
export function jsonString(text: string): string {
  let out = "\"";
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const lone = (c & 0xf800) == 0xd800 && !pairedSurrogate(text, i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c && !lone) {
      if ((c & 0xfc00) == 0xd800) i++; // keep a valid pair together
      continue;
    }
    out += text.substring(runStart, i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else {
      const hex = c.toString(16);
      out += "\\u" + "0000".substring(hex.length) + hex;
    }
    runStart = i + 1;
  }
  return out + text.substring(runStart) + "\"";
}

function pairedSurrogate(text: string, i: i32): bool {
  const c = text.charCodeAt(i);
  if (c < 0xdc00) return i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) == 0xdc00;
  return false; // a trail surrogate reached on its own is lone
}

/** Appends members and values in order; the caller keeps the structure balanced. */
export class JsonWriter {
  private parts: Array<string> = [];
  private needComma: bool = false;

  private separate(): void {
    if (this.needComma) this.parts.push(",");
    this.needComma = true;
  }

  beginObject(): JsonWriter { this.separate(); this.parts.push("{"); this.needComma = false; return this; }
  endObject(): JsonWriter { this.parts.push("}"); this.needComma = true; return this; }
  beginArray(): JsonWriter { this.separate(); this.parts.push("["); this.needComma = false; return this; }
  endArray(): JsonWriter { this.parts.push("]"); this.needComma = true; return this; }

  /** A member name; the next value call writes its value. */
  key(name: string): JsonWriter {
    this.separate();
    this.parts.push(jsonString(name));
    this.parts.push(":");
    this.needComma = false;
    return this;
  }

  string(value: string): JsonWriter { this.separate(); this.parts.push(jsonString(value)); return this; }
  bool(value: bool): JsonWriter { this.separate(); this.parts.push(value ? "true" : "false"); return this; }
  nil(): JsonWriter { this.separate(); this.parts.push("null"); return this; }
  integer(value: i64): JsonWriter { this.separate(); this.parts.push(value.toString()); return this; }
  /** Already-serialized JSON, inserted as one value. */
  raw(json: string): JsonWriter { this.separate(); this.parts.push(json); return this; }

  toString(): string { return this.parts.join(""); }
}
