// REFERENCE COPY of the string-based event writer as it was before issue 15 (pieces joined, then UTF-8
// encoded), kept only as the oracle the one-pass byte writer must match byte for byte (unit/invoke.ts).
// Builds JSON text (events for the Lambda Invoke API, error bodies), member by member.
import { jsonString } from "../../kernel/json-string";

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
  /** A string the caller knows needs no escaping (e.g. base64), written without scanning it. */
  plainString(value: string): JsonWriter { this.separate(); this.parts.push("\""); this.parts.push(value); this.parts.push("\""); return this; }
  bool(value: bool): JsonWriter { this.separate(); this.parts.push(value ? "true" : "false"); return this; }
  nil(): JsonWriter { this.separate(); this.parts.push("null"); return this; }
  integer(value: i64): JsonWriter { this.separate(); this.parts.push(value.toString()); return this; }
  /** Already-serialized JSON, inserted as one value. */
  raw(json: string): JsonWriter { this.separate(); this.parts.push(json); return this; }

  toString(): string { return this.parts.join(""); }
}
