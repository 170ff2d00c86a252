// JSON string contents (RFC 8259) written straight into UTF-8 bytes: from UTF-16 text with the escapes of
// jsonString (json-string.ts), lone surrogates as \u escapes, so the bytes are always valid UTF-8; and from
// UTF-8 text, byte for byte, with only the escapes JSON requires. Each writer sizes its output exactly first.
import { ByteBuffer } from "./byte-buffer";
import { storeUtf8 } from "./utf8";

// @ts-ignore: decorator
@lazy const HEX_DIGITS: usize = memory.data<u8>([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** The escape letter of `c` when it has a two-byte escape (\" \\ \n \r \t), else 0. */
// @ts-ignore: decorator
@inline function shortEscape(c: u32): u32 {
  return c == 0x22 ? 0x22 : c == 0x5c ? 0x5c : c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : c == 0x09 ? 0x74 : 0;
}

/** Writes \u00XX-style escape of `c` (four lower-case hex digits) at `p`; returns the end. */
// @ts-ignore: decorator
@inline function storeUnicodeEscape(p: usize, c: u32): usize {
  store<u16>(p, 0x755c); // "\u"
  store<u8>(p, load<u8>(HEX_DIGITS + ((c >> 12) & 15)), 2);
  store<u8>(p, load<u8>(HEX_DIGITS + ((c >> 8) & 15)), 3);
  store<u8>(p, load<u8>(HEX_DIGITS + ((c >> 4) & 15)), 4);
  store<u8>(p, load<u8>(HEX_DIGITS + (c & 15)), 5);
  return p + 6;
}

/** Bytes the escaped UTF-8 form of the UTF-16 unit at `i` of `src` (`end` units) takes; 0 for the trail of a pair. */
// @ts-ignore: decorator
@inline function unitWidth(src: usize, i: i32, end: i32, c: u32): u32 {
  if (c < 0x80) return shortEscape(c) != 0 ? 2 : c < 0x20 ? 6 : 1;
  if (c < 0x800) return 2;
  if ((c & 0xf800) != 0xd800) return 3;
  if (c < 0xdc00) {
    // A lead with its trail is one 4-byte sequence (counted here, the trail then counts 0).
    if (i + 1 < end && (<u32>load<u16>(src + (<usize>(i + 1) << 1)) & 0xfc00) == 0xdc00) return 4;
    return 6;
  }
  if (i > 0 && (<u32>load<u16>(src + (<usize>(i - 1) << 1)) & 0xfc00) == 0xd800) return 0;
  return 6;
}

/** Appends `text` escaped for a JSON string, without quotes. */
export function appendJsonChars(out: ByteBuffer, text: string): void {
  const src = changetype<usize>(text);
  const end = text.length;
  let size: i64 = 0;
  for (let i = 0; i < end; i++) size += unitWidth(src, i, end, <u32>load<u16>(src + (<usize>i << 1)));
  let p = out.reserve(size);
  const start = p;
  for (let i = 0; i < end; i++) {
    const c = <u32>load<u16>(src + (<usize>i << 1));
    if (c < 0x80) {
      const letter = shortEscape(c);
      if (letter != 0) { store<u8>(p, 0x5c); store<u8>(p, <u8>letter, 1); p += 2; }
      else if (c < 0x20) p = storeUnicodeEscape(p, c);
      else { store<u8>(p, <u8>c); p += 1; }
      continue;
    }
    const width = unitWidth(src, i, end, c);
    if (width == 6) p = storeUnicodeEscape(p, c);
    else if (width == 4) {
      const d = <u32>load<u16>(src + (<usize>(i + 1) << 1));
      p = storeUtf8(p, 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
      i++;
    } else p = storeUtf8(p, c);
  }
  out.length += <i32>(p - start);
}

/** Appends `text` as a JSON string literal (quotes included). */
export function appendJsonString(out: ByteBuffer, text: string): void {
  out.writeByte(0x22);
  appendJsonChars(out, text);
  out.writeByte(0x22);
}

/** Bytes JSON escaping adds to the ASCII byte `b` (0 for bytes written as they are). */
// @ts-ignore: decorator
@inline function escapeExtra(b: u32): i64 {
  if (b >= 0x20) return b == 0x22 || b == 0x5c ? 1 : 0;
  return shortEscape(b) != 0 ? 1 : 5;
}

/**
 * Nonzero when one of the 8 bytes of `q` is not plain ASCII text for a JSON string: ≥ 0x80, below 0x20, a
 * quote or a backslash (bit tricks for "has a byte below n" / "has a zero byte", no false negatives).
 */
// @ts-ignore: decorator
@inline function needsLook(q: u64): u64 {
  const x22 = q ^ 0x2222222222222222;
  const x5c = q ^ 0x5c5c5c5c5c5c5c5c;
  return (q | ((q - 0x2020202020202020) & ~q) | ((x22 - 0x0101010101010101) & ~x22)
    | ((x5c - 0x0101010101010101) & ~x5c)) & 0x8080808080808080;
}

/**
 * The size of the UTF-8 text at [ptr, ptr + len) once escaped for a JSON string (quotes excluded), or -1 when
 * it is not well-formed UTF-8 (RFC 3629, as isValidUtf8): one pass decides text or base64 and sizes the text.
 */
export function jsonTextSize(ptr: usize, len: usize): i64 {
  let size = <i64>len;
  let i: usize = 0;
  while (i < len) {
    if (i + 8 <= len) {
      const look = needsLook(load<u64>(ptr + i));
      if (look == 0) { i += 8; continue; }
      // The lowest flagged byte is the first that needs a look (the bit tricks only misflag bytes above it).
      i += <usize>(ctz(look) >> 3);
    }
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) { size += escapeExtra(b0); i++; continue; }
    let need: usize = 0;
    let lowest: u32 = 0;
    let code: u32 = 0;
    if ((b0 & 0xe0) == 0xc0) { need = 1; lowest = 0x80; code = b0 & 0x1f; }
    else if ((b0 & 0xf0) == 0xe0) { need = 2; lowest = 0x800; code = b0 & 0x0f; }
    else if ((b0 & 0xf8) == 0xf0) { need = 3; lowest = 0x10000; code = b0 & 0x07; }
    else return -1;
    if (len - i <= need) return -1;
    for (let k: usize = 1; k <= need; k++) {
      const b = <u32>load<u8>(ptr + i + k);
      if ((b & 0xc0) != 0x80) return -1;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < lowest || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return -1;
    i += need + 1;
  }
  return size;
}

/**
 * Appends well-formed UTF-8 text [ptr, ptr + len) escaped for a JSON string; `room` is at least its escaped
 * size (jsonTextSize of these bytes, or what is left of a larger text's size), reserved once.
 */
export function appendJsonText(out: ByteBuffer, ptr: usize, len: usize, room: i64): void {
  let p = out.reserve(room);
  const start = p;
  let i: usize = 0;
  while (i < len) {
    // The run up to the next byte that needs an escape is copied at once; UTF-8 sequences stay in it.
    let run = i;
    while (run < len) {
      if (run + 8 <= len) {
        const look = needsLook(load<u64>(ptr + run));
        if (look == 0) { run += 8; continue; }
        run += <usize>(ctz(look) >> 3);
      }
      const c = <u32>load<u8>(ptr + run);
      if (c < 0x20 || c == 0x22 || c == 0x5c) break;
      run++;
    }
    if (run > i) {
      memory.copy(p, ptr + i, run - i);
      p += run - i;
      i = run;
      if (i >= len) break;
    }
    const b = <u32>load<u8>(ptr + i);
    i++;
    const letter = shortEscape(b);
    if (letter != 0) { store<u8>(p, 0x5c); store<u8>(p, <u8>letter, 1); p += 2; }
    else p = storeUnicodeEscape(p, b);
  }
  out.length += <i32>(p - start);
}
