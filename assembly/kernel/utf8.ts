// UTF-8 and UTF-16 at the byte level. Well-formedness (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF; a decoder that reads malformed bytes as U+FFFD instead of guessing what they spell; and the
// one place that pairs UTF-16 surrogates and writes code points as UTF-8 bytes.

/** True when every byte of `bytes` is part of a well-formed UTF-8 sequence. */
export function isValidUtf8(bytes: ArrayBuffer): bool {
  const data = Uint8Array.wrap(bytes);
  const length = data.length;
  let i = 0;
  while (i < length) {
    const b0 = <u32>unchecked(data[i]);
    if (b0 < 0x80) { i++; continue; }
    let need = 0;
    let min: u32 = 0;
    let code: u32 = 0;
    if ((b0 & 0xe0) == 0xc0) { need = 1; min = 0x80; code = b0 & 0x1f; }
    else if ((b0 & 0xf0) == 0xe0) { need = 2; min = 0x800; code = b0 & 0x0f; }
    else if ((b0 & 0xf8) == 0xf0) { need = 3; min = 0x10000; code = b0 & 0x07; }
    else return false;
    if (length - i <= need) return false;
    for (let k = 1; k <= need; k++) {
      const b = <u32>unchecked(data[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/**
 * Decodes UTF-8 as WHATWG's decoder does: each maximal invalid subsequence becomes one U+FFFD. Unlike
 * String.UTF8.decodeUnsafe, an overlong form never turns into the character it spells (C0 AF is not
 * "/", C0 A6 not "&", C0 8D not CR), so the filter reads header bytes as the hosts and the function do.
 */
export function decodeUtf8Lossy(ptr: usize, length: usize): string {
  // At most one UTF-16 unit per byte (a 4-byte sequence gives two).
  const out = changetype<usize>(__new(length << 1, idof<string>()));
  let units: usize = 0;
  let i: usize = 0;
  while (i < length) {
    const b0 = <u32>load<u8>(ptr + i);
    if (b0 < 0x80) {
      store<u16>(out + (units++ << 1), <u16>b0);
      i++;
      continue;
    }
    let need = 0;
    let lower: u32 = 0x80;
    let upper: u32 = 0xbf;
    let code: u32 = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) { need = 1; code = b0 & 0x1f; }
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2; code = b0 & 0x0f;
      if (b0 == 0xe0) lower = 0xa0; // overlong
      if (b0 == 0xed) upper = 0x9f; // surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3; code = b0 & 0x07;
      if (b0 == 0xf0) lower = 0x90; // overlong
      if (b0 == 0xf4) upper = 0x8f; // above U+10FFFF
    }
    let next = i + 1;
    let complete = need > 0;
    for (let k = 0; k < need; k++) {
      if (next >= length) { complete = false; break; }
      const b = <u32>load<u8>(ptr + next);
      if (b < lower || b > upper) { complete = false; break; }
      lower = 0x80;
      upper = 0xbf;
      code = (code << 6) | (b & 0x3f);
      next++;
    }
    i = next;
    if (!complete) {
      store<u16>(out + (units++ << 1), 0xfffd);
    } else if (code < 0x10000) {
      store<u16>(out + (units++ << 1), <u16>code);
    } else {
      code -= 0x10000;
      store<u16>(out + (units++ << 1), <u16>(0xd800 | (code >> 10)));
      store<u16>(out + (units++ << 1), <u16>(0xdc00 | (code & 0x3ff)));
    }
  }
  return changetype<string>(__renew(out, units << 1));
}

/** decodeUtf8Lossy over a whole buffer. */
export function decodeUtf8LossyBuffer(bytes: ArrayBuffer): string {
  return decodeUtf8Lossy(changetype<usize>(bytes), <usize>bytes.byteLength);
}

/**
 * The code point at unit `i` (< `end`) of the UTF-16 text at `src`, packed with the units it spans:
 * `cp | units << 24`. A lone surrogate reads as U+FFFD (one unit), so every input has a defined encoding.
 */
// @ts-ignore: decorator
@inline export function codePointAt(src: usize, i: i32, end: i32): u32 {
  const c = <u32>load<u16>(src + (<usize>i << 1));
  if (c < 0xd800 || c >= 0xe000) return c | (1 << 24);
  if (c < 0xdc00 && i + 1 < end) {
    const d = <u32>load<u16>(src + (<usize>(i + 1) << 1));
    if (d >= 0xdc00 && d < 0xe000) return (0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)) | (2 << 24);
  }
  return 0xfffd | (1 << 24);
}

/** Stores code point `cp` (0x80..0x10ffff, not a surrogate) as UTF-8 at `p`; returns the end address. */
export function storeUtf8(p: usize, cp: u32): usize {
  if (cp < 0x800) {
    store<u8>(p, <u8>(0xc0 | (cp >> 6)));
    store<u8>(p, <u8>(0x80 | (cp & 63)), 1);
    return p + 2;
  }
  if (cp < 0x10000) {
    store<u8>(p, <u8>(0xe0 | (cp >> 12)));
    store<u8>(p, <u8>(0x80 | ((cp >> 6) & 63)), 1);
    store<u8>(p, <u8>(0x80 | (cp & 63)), 2);
    return p + 3;
  }
  store<u8>(p, <u8>(0xf0 | (cp >> 18)));
  store<u8>(p, <u8>(0x80 | ((cp >> 12) & 63)), 1);
  store<u8>(p, <u8>(0x80 | ((cp >> 6) & 63)), 2);
  store<u8>(p, <u8>(0x80 | (cp & 63)), 3);
  return p + 4;
}
