// Percent-encoding. Encoding as SigV4 defines it ("UriEncode"): every byte of the UTF-8 encoding is
// written as %XX with upper-case hex, except the unreserved characters A-Z a-z 0-9 - _ . ~ (and, for
// paths, '/'). Space is %20, never '+'. Strings are AssemblyScript UTF-16; lone surrogates are encoded
// as U+FFFD (%EF%BF%BD), so any input gives a defined result. Decoding is lenient, as API Gateway reads
// query strings: valid %XX escapes become bytes, anything else stays as written.
import { ByteBuffer } from "./byte-buffer";
import { codePointAt, decodeUtf8Lossy, storeUtf8 } from "./utf8";

// 1 = unreserved, 2 = '/', 0 = must be encoded; indexed by ASCII code.
// @ts-ignore: decorator
@lazy const CLASS: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
]);

/** True for the SigV4 unreserved characters A-Z a-z 0-9 - _ . ~ (code unit or byte). */
// @ts-ignore: decorator
@inline export function isUnreserved(c: u32): bool {
  return c < 128 && load<u8>(CLASS + <usize>c) == 1;
}

// @ts-ignore: decorator
@inline function keepAsIs(c: u32, keepSlash: bool): bool {
  if (c >= 128) return false;
  const k = <u32>load<u8>(CLASS + <usize>c);
  return k == 1 || (keepSlash && k == 2);
}

// @ts-ignore: decorator
@inline function hexUpper(n: u32): u32 {
  return n < 10 ? 48 + n : 55 + n;
}

/** Value of hex digit `c` (either case), or -1 for any other character. */
// @ts-ignore: decorator
@inline export function hexValue(c: u32): i32 {
  if (c - 48 < 10) return <i32>(c - 48);
  const l = c | 32;
  if (l - 97 < 6) return <i32>(l - 87);
  return -1;
}

/** Writes byte `b` at `p`, percent-encoded unless unreserved (or '/' when `keepSlash`); returns the end. */
// @ts-ignore: decorator
@inline function putEncodedByte(p: usize, b: u32, keepSlash: bool): usize {
  if (keepAsIs(b, keepSlash)) {
    store<u8>(p, <u8>b);
    return p + 1;
  }
  store<u8>(p, 37); // '%'
  store<u8>(p, <u8>hexUpper(b >> 4), 1);
  store<u8>(p, <u8>hexUpper(b & 15), 2);
  return p + 3;
}

/** Writes code point `cp` (>= 0x80) as percent-encoded UTF-8 at `p`; returns the end. */
function putEncodedCodePoint(p: usize, cp: u32): usize {
  // Encode to UTF-8 in a 4-byte scratch word, then percent-encode each byte.
  const tmp = SCRATCH;
  const n = <i32>(storeUtf8(tmp, cp) - tmp);
  for (let k = 0; k < n; k++) p = putEncodedByte(p, <u32>load<u8>(tmp + <usize>k), false);
  return p;
}

// @ts-ignore: decorator
@lazy const SCRATCH: usize = memory.data(8, 8);

// Worst case output per UTF-16 unit: one BMP unit -> 3 UTF-8 bytes -> 9 chars.
const MAX_PER_UNIT: i32 = 9;

/**
 * UriEncode(s[start..end]) appended to `out`: the UTF-8 bytes of the text, each percent-encoded unless
 * unreserved; '/' is kept when `keepSlash` (paths) and encoded as %2F otherwise. A '%' is data here
 * (-> %25): this is the "encode once more" of an already-encoded wire path.
 */
export function appendUriEncoded(out: ByteBuffer, s: string, start: i32, end: i32, keepSlash: bool): void {
  if (start < 0) start = 0;
  if (end > s.length) end = s.length;
  if (end <= start) return;
  const dst = out.reserve(<i64>(end - start) * MAX_PER_UNIT);
  let p = dst;
  const src = changetype<usize>(s);
  let i = start;
  while (i < end) {
    const c = <u32>load<u16>(src + (<usize>i << 1));
    if (c < 0x80) {
      p = putEncodedByte(p, c, keepSlash);
      i++;
    } else {
      const packed = codePointAt(src, i, end);
      p = putEncodedCodePoint(p, packed & 0xffffff);
      i += <i32>(packed >> 24);
    }
  }
  out.length += <i32>(p - dst);
}

/**
 * One query-string name or value, s[start..end] as it appears on the wire, canonicalized: percent-escapes
 * are decoded and every resulting byte re-encoded with UriEncode ('/' too). So %7e -> ~, %2f -> %2F,
 * a literal '+' -> %2B (SigV4 gives '+' no special meaning), a space -> %20, UTF-8 text -> %XX bytes.
 * A '%' not followed by two hex digits is kept as data (-> %25); decoded bytes are re-encoded as-is
 * even if they are not valid UTF-8. Never fails.
 */
export function appendQueryComponent(out: ByteBuffer, s: string, start: i32, end: i32): void {
  if (start < 0) start = 0;
  if (end > s.length) end = s.length;
  if (end <= start) return;
  const dst = out.reserve(<i64>(end - start) * MAX_PER_UNIT);
  let p = dst;
  const src = changetype<usize>(s);
  let i = start;
  while (i < end) {
    const c = <u32>load<u16>(src + (<usize>i << 1));
    if (c == 37 && i + 2 < end) {
      const hi = hexValue(<u32>load<u16>(src + (<usize>(i + 1) << 1)));
      const lo = hexValue(<u32>load<u16>(src + (<usize>(i + 2) << 1)));
      if ((hi | lo) >= 0) {
        p = putEncodedByte(p, <u32>((hi << 4) | lo), false);
        i += 3;
        continue;
      }
    }
    if (c < 0x80) {
      p = putEncodedByte(p, c, false);
      i++;
    } else {
      const packed = codePointAt(src, i, end);
      p = putEncodedCodePoint(p, packed & 0xffffff);
      i += <i32>(packed >> 24);
    }
  }
  out.length += <i32>(p - dst);
}

/** UriEncode of a whole string (pure; '/' kept only when `keepSlash`). */
export function uriEncode(s: string, keepSlash: bool = false): string {
  const out = new ByteBuffer(s.length + 16);
  appendUriEncoded(out, s, 0, s.length, keepSlash);
  return out.toString();
}

/** Decodes the %XX escapes of `text`; bytes that are not UTF-8 read as U+FFFD, never as what an overlong form spells. */
export function percentDecode(text: string): string {
  if (text.indexOf("%") < 0) return text;
  const bytes = String.UTF8.encode(text);
  const data = changetype<usize>(bytes);
  const length = bytes.byteLength;
  const out = new ArrayBuffer(length);
  const dst = changetype<usize>(out);
  let written: usize = 0;
  for (let i = 0; i < length; i++) {
    const c = <u32>load<u8>(data + <usize>i);
    if (c == 0x25 && i + 2 < length) {
      const hi = hexValue(<u32>load<u8>(data + <usize>(i + 1)));
      const lo = hexValue(<u32>load<u8>(data + <usize>(i + 2)));
      if ((hi | lo) >= 0) {
        store<u8>(dst + written++, <u8>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    store<u8>(dst + written++, <u8>c);
  }
  return decodeUtf8Lossy(dst, written);
}
