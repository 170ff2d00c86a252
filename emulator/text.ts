// Text and bytes inside the emulator. Header names and values, paths and properties are JS strings,
// but a caller may give bytes that are not UTF-8 (invalid sequences, overlong forms): those travel
// inside the strings as lone surrogates U+DC80–U+DCFF, one per byte (PEP 383's "surrogateescape"),
// and become the same bytes again whenever the host copies the string into the module. A caller's
// strings are made well-formed first (a lone surrogate reads as U+FFFD, as UTF-8 encoding always
// made it), so only bytes given as bytes are ever escaped.
import { isUtf8 } from "node:buffer";

/** Text, or raw bytes handed to the module exactly as given (invalid UTF-8, NUL, CR/LF). */
export type TextOrBytes = string | Uint8Array;

const ESCAPE_BASE = 0xdc00;

/** Whether b[at] is a continuation byte in lo..hi. */
function continues(b: Uint8Array, at: number, lo: number, hi: number): boolean {
  return at < b.length && b[at] >= lo && b[at] <= hi;
}

/** Length of the well-formed UTF-8 sequence at `at` (Unicode Table 3-7), 0 when there is none. */
function sequenceLength(b: Uint8Array, at: number): number {
  const lead = b[at];
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return continues(b, at + 1, 0x80, 0xbf) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const lo = lead === 0xe0 ? 0xa0 : 0x80;
    const hi = lead === 0xed ? 0x9f : 0xbf;
    return continues(b, at + 1, lo, hi) && continues(b, at + 2, 0x80, 0xbf) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const lo = lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xf4 ? 0x8f : 0xbf;
    return continues(b, at + 1, lo, hi) && continues(b, at + 2, 0x80, 0xbf) && continues(b, at + 3, 0x80, 0xbf) ? 4 : 0;
  }
  return 0;
}

/** Bytes as an internal string: well-formed runs decoded, every other byte escaped. */
function escapeBytes(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buf)) return buf.toString("utf8");
  let out = "";
  let run = 0;
  for (let at = 0; at < buf.length;) {
    const n = sequenceLength(buf, at);
    if (n > 0) {
      at += n;
      continue;
    }
    out += buf.toString("utf8", run, at) + String.fromCharCode(ESCAPE_BASE + buf[at]);
    run = ++at;
  }
  return out + buf.toString("utf8", run);
}

/** A caller's text or bytes as the emulator's internal string. */
export function fromCaller(value: TextOrBytes): string {
  return typeof value === "string" ? value.toWellFormed() : escapeBytes(value);
}

/** The bytes the module sees for an internal string. */
export function toBytes(text: string): Buffer {
  if (text.isWellFormed()) return Buffer.from(text, "utf8");
  const out = Buffer.allocUnsafe(text.length * 3);
  let size = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++; // a surrogate pair: ordinary text
      continue;
    }
    if (c < ESCAPE_BASE + 0x80 || c > ESCAPE_BASE + 0xff) continue;
    size += out.write(text.slice(run, i), size, "utf8");
    out[size++] = c - ESCAPE_BASE;
    run = i + 1;
  }
  size += out.write(text.slice(run), size, "utf8");
  return out.subarray(0, size);
}

/** Byte length of toBytes(text). */
export function byteLength(text: string): number {
  return text.isWellFormed() ? Buffer.byteLength(text, "utf8") : toBytes(text).length;
}

/** An internal string as callers read it: escaped bytes read as U+FFFD, as a UTF-8 decoder reads them. */
export function forCaller(text: string): string {
  return text.isWellFormed() ? text : toBytes(text).toString("utf8");
}

/** A body given as text (UTF-8) or bytes, as a Buffer (bytes already in a Buffer are not copied). */
export function bodyBytes(body: Uint8Array | string): Buffer {
  if (typeof body === "string") return Buffer.from(body, "utf8");
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
