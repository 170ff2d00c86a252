// A growable byte buffer the SigV4 steps write into, so a canonical request is assembled once, in
// place, as the exact bytes that get hashed (no per-component strings, no re-encoding before hashing).
// Writers reserve their worst case up front and then store without further checks.
import { lowerAsciiUnit } from "./ascii";
import { codePointAt, storeUtf8 } from "./utf8";

/** Storage of a buffer whose contents were taken: the first write replaces it. */
const NOTHING = new ArrayBuffer(0);

/** Growable byte buffer; `length` bytes of `buffer` are in use. Reuse it across requests with `reset()`. */
export class ByteBuffer {
  buffer: ArrayBuffer;
  length: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buffer = changetype<ArrayBuffer>(__new(<usize>(capacity < 16 ? 16 : capacity), idof<ArrayBuffer>()));
  }

  /** Forgets the contents, keeps the storage. */
  reset(): void {
    this.length = 0;
  }

  /** Forgets the contents and, if an unusually large request grew the storage past `keep` bytes, drops it. */
  release(keep: i32): void {
    this.length = 0;
    if (this.buffer.byteLength > keep) this.buffer = new ArrayBuffer(keep < 16 ? 16 : keep);
  }

  /** Makes room for `extra` more bytes and returns the address where they go. */
  // @ts-ignore: decorator
  @inline reserve(extra: i64): usize {
    if (<i64>this.length + extra > <i64>this.buffer.byteLength) this.grow(extra);
    return changetype<usize>(this.buffer) + <usize>this.length;
  }

  /**
   * Replaces the storage with one that has room for `extra` more bytes (at least doubling). Sizes are
   * computed in 64 bits so no input can wrap them; a buffer beyond the 1 GiB allocation limit is an
   * out-of-memory abort, like any other allocation.
   */
  private grow(extra: i64): void {
    const need = <i64>this.length + extra;
    let grown = <i64>this.buffer.byteLength << 1;
    if (grown < need) grown = need;
    if (grown > 0x3fffffff) grown = need;
    // Not zero-filled (the bytes past `length` are never read): growing for a megabyte body would clear it all.
    const next = changetype<ArrayBuffer>(__new(<usize>min<i64>(grown, 0x7fffffff), idof<ArrayBuffer>()));
    memory.copy(changetype<usize>(next), changetype<usize>(this.buffer), <usize>this.length);
    this.buffer = next;
  }

  /** Address of byte `offset` (for callers that have reserved the space). */
  // @ts-ignore: decorator
  @inline at(offset: i32): usize {
    return changetype<usize>(this.buffer) + <usize>offset;
  }

  // @ts-ignore: decorator
  @inline writeByte(b: u32): void {
    store<u8>(this.reserve(1), <u8>b);
    this.length += 1;
  }

  /** Appends `len` bytes from `ptr`. */
  writeBytes(ptr: usize, len: i32): void {
    if (len <= 0) return;
    memory.copy(this.reserve(len), ptr, <usize>len);
    this.length += len;
  }

  /** Appends bytes `start..end` of another buffer (or of this one). */
  writeFrom(src: ByteBuffer, start: i32, end: i32): void {
    const len = end - start;
    if (len <= 0) return;
    const dst = this.reserve(len); // may move this.buffer; read src's address afterwards
    memory.copy(dst, src.at(start), <usize>len);
    this.length += len;
  }

  /** Appends `len` bytes from `ptr` as lower-case hex (two characters per byte). */
  writeHex(ptr: usize, len: i32): void {
    if (len <= 0) return;
    const dst = this.reserve(<i64>len << 1);
    for (let i = 0; i < len; i++) {
      const b = <u32>load<u8>(ptr + <usize>i);
      const hi = b >> 4;
      const lo = b & 15;
      store<u8>(dst + (<usize>i << 1), <u8>(hi < 10 ? 48 + hi : 87 + hi));
      store<u8>(dst + (<usize>i << 1), <u8>(lo < 10 ? 48 + lo : 87 + lo), 1);
    }
    this.length += len << 1;
  }

  /** Appends the UTF-8 encoding of `s` (lone surrogates become U+FFFD). */
  writeString(s: string): void {
    this.writeStringRange(s, 0, s.length);
  }

  /** Appends the UTF-8 encoding of code units `start..end` of `s` (lone surrogates become U+FFFD). */
  writeStringRange(s: string, start: i32, end: i32): void {
    const len = end - start;
    if (len <= 0) return;
    const dst = this.reserve(<i64>len * 3);
    let p = dst;
    const src = changetype<usize>(s);
    let i = start;
    // ASCII run: one byte per code unit.
    while (i < end) {
      const c = <u32>load<u16>(src + (<usize>i << 1));
      if (c >= 0x80) break;
      store<u8>(p, <u8>c);
      p += 1;
      i++;
    }
    while (i < end) {
      const c = <u32>load<u16>(src + (<usize>i << 1));
      if (c < 0x80) {
        store<u8>(p, <u8>c);
        p += 1;
        i++;
        continue;
      }
      const packed = codePointAt(src, i, end);
      p = storeUtf8(p, packed & 0xffffff);
      i += <i32>(packed >> 24);
    }
    this.length += <i32>(p - dst);
  }

  /** Appends `text` with ASCII letters lowered (header names: other characters as UTF-8, lowered too if ASCII). */
  writeLowerAscii(text: string): void {
    const start = this.length;
    this.writeString(text);
    const end = this.length;
    const base = this.at(0);
    for (let k = start; k < end; k++) store<u8>(base + <usize>k, <u8>lowerAsciiUnit(<u32>load<u8>(base + <usize>k)));
  }

  /**
   * Hands the contents over as an ArrayBuffer of exactly `length` bytes — the storage itself, shrunk in
   * place (no copy) — and starts over empty.
   */
  take(): ArrayBuffer {
    const out = changetype<ArrayBuffer>(__renew(changetype<usize>(this.buffer), <usize>this.length));
    this.buffer = NOTHING;
    this.length = 0;
    return out;
  }

  /** Copy of bytes `start..end` as a new ArrayBuffer. */
  slice(start: i32, end: i32): ArrayBuffer {
    let len = end - start;
    if (len < 0) len = 0;
    const out = new ArrayBuffer(len);
    memory.copy(changetype<usize>(out), this.at(start), <usize>len);
    return out;
  }

  /** Bytes `start..end` decoded as UTF-8 (leniently: malformed input gives some string, never a trap). */
  toStringRange(start: i32, end: i32): string {
    const len = end - start;
    if (len <= 0) return "";
    return String.UTF8.decodeUnsafe(this.at(start), <usize>len);
  }

  /** The whole contents decoded as UTF-8. */
  toString(): string {
    return this.toStringRange(0, this.length);
  }
}

/** `parts` one after the other; the only part itself when there is one (no copy). */
export function joinBytes(parts: Array<ArrayBuffer>): ArrayBuffer {
  if (parts.length == 1) return parts[0];
  let size = 0;
  for (let i = 0; i < parts.length; i++) size += parts[i].byteLength;
  const out = new ArrayBuffer(size);
  let at: usize = changetype<usize>(out);
  for (let i = 0; i < parts.length; i++) {
    memory.copy(at, changetype<usize>(parts[i]), <usize>parts[i].byteLength);
    at += <usize>parts[i].byteLength;
  }
  return out;
}
