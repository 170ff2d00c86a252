// Builds JSON text (events for the Lambda Invoke API, error bodies) member by member, straight into UTF-8
// bytes, and — for what gets signed — SHA-256 as it is written, so a document is produced in one pass and
// its bytes are what is sent (no string pieces, no join, no re-encoding, no separate hashing pass).
import { Sha256 } from "../crypto/sha256";
import { appendBase64 } from "../kernel/base64";
import { ByteBuffer } from "../kernel/byte-buffer";
import { toHex } from "../kernel/hex";
import { appendJsonChars, appendJsonString, appendJsonText } from "../kernel/json-bytes";

/** Bytes of a large value written (and hashed) per step, so each step's output is hashed while in cache. */
const STEP: usize = 16384;
/** Room kept after a large value for the members that close the document. */
const TAIL: i64 = 64;

/** Appends members and values in order; the caller keeps the structure balanced. */
export class JsonWriter {
  private readonly out: ByteBuffer;
  private needComma: bool = false;
  private hasher: Sha256 | null;
  /** Bytes of `out` already hashed. */
  private hashed: i32 = 0;

  /** `capacity`: bytes reserved at first; `hash`: SHA-256 every byte as it is written (payloadHash()). */
  constructor(capacity: i32 = 256, hash: bool = false) {
    this.out = new ByteBuffer(capacity);
    this.hasher = hash ? new Sha256() : null;
  }

  private separate(): void {
    if (this.needComma) this.out.writeByte(0x2c);
    this.needComma = true;
  }

  /** Feeds what was written since the last call to the hasher. */
  private hashWritten(): void {
    const hasher = this.hasher;
    if (hasher == null) return;
    hasher.updateRange(this.out.buffer, this.hashed, this.out.length - this.hashed);
    this.hashed = this.out.length;
  }

  beginObject(): JsonWriter { this.separate(); this.out.writeByte(0x7b); this.needComma = false; return this; }
  endObject(): JsonWriter { this.out.writeByte(0x7d); this.needComma = true; return this; }
  beginArray(): JsonWriter { this.separate(); this.out.writeByte(0x5b); this.needComma = false; return this; }
  endArray(): JsonWriter { this.out.writeByte(0x5d); this.needComma = true; return this; }

  /** A member name; the next value call writes its value. */
  key(name: string): JsonWriter {
    this.separate();
    appendJsonString(this.out, name);
    this.out.writeByte(0x3a);
    this.needComma = false;
    return this;
  }

  string(value: string): JsonWriter { this.separate(); appendJsonString(this.out, value); return this; }

  /** Opens a string value written in parts with chars() (e.g. values joined by ','), closed by endString(). */
  beginString(): JsonWriter { this.separate(); this.out.writeByte(0x22); return this; }
  /** Appends `text`, escaped, to the open string value. */
  chars(text: string): JsonWriter { appendJsonChars(this.out, text); return this; }
  endString(): JsonWriter { this.out.writeByte(0x22); return this; }

  /** The bytes [ptr, ptr + len) as a base64 string value, written and hashed step by step. */
  base64(ptr: usize, len: usize): JsonWriter {
    this.separate();
    this.out.reserve(((<i64>len + 2) / 3) * 4 + TAIL);
    this.out.writeByte(0x22);
    // Steps of a multiple of 3 bytes: the base64 of the whole is the steps' base64 joined.
    const step = STEP - STEP % 3;
    for (let at: usize = 0; at < len; at += step) {
      appendBase64(this.out, ptr + at, min(step, len - at));
      this.hashWritten();
    }
    this.out.writeByte(0x22);
    return this;
  }

  /**
   * Well-formed UTF-8 text [ptr, ptr + len) as a string value, written and hashed step by step; `size` is
   * its escaped size (jsonTextSize).
   */
  utf8Text(ptr: usize, len: usize, size: i64): JsonWriter {
    this.separate();
    this.out.reserve(size + TAIL);
    this.out.writeByte(0x22);
    const first = this.out.length;
    let at: usize = 0;
    while (at < len) {
      // Steps end on a UTF-8 sequence boundary (not on a continuation byte).
      let end = min(at + STEP, len);
      while (end < len && (load<u8>(ptr + end) & 0xc0) == 0x80) end++;
      appendJsonText(this.out, ptr + at, end - at, size - <i64>(this.out.length - first));
      this.hashWritten();
      at = end;
    }
    this.out.writeByte(0x22);
    return this;
  }

  bool(value: bool): JsonWriter { this.separate(); this.out.writeString(value ? "true" : "false"); return this; }
  nil(): JsonWriter { this.separate(); this.out.writeString("null"); return this; }
  integer(value: i64): JsonWriter { this.separate(); this.out.writeString(value.toString()); return this; }

  /** The document's bytes, exactly its length; the writer is empty afterwards (the hash stays readable). */
  bytes(): ArrayBuffer {
    this.hashWritten();
    this.hashed = 0;
    return this.out.take();
  }

  /** Hex SHA-256 of every byte written (after bytes()); "" when not hashing. */
  payloadHash(): string {
    const hasher = this.hasher;
    if (hasher == null) return "";
    this.hashWritten();
    this.hasher = null;
    return toHex(hasher.digest());
  }

  /** The document as text (tests and small documents). */
  toString(): string { return this.out.toString(); }
}
