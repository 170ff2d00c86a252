// Base64 (RFC 4648 §4, with padding) for event bodies sent to Lambda and bodies it returns encoded.
import { ByteBuffer } from "./byte-buffer";

// The alphabet as bytes, for base64 written straight into UTF-8 output.
// @ts-ignore: decorator
@lazy const ALPHABET_BYTES: usize = memory.data<u8>([
  65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 97, 98, 99, 100, 101, 102,
  103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 43, 47,
]);

/** Appends the padded base64 of the bytes [ptr, ptr + len) to `out`, as ASCII bytes. */
export function appendBase64(out: ByteBuffer, ptr: usize, len: usize): void {
  const size = ((len + 2) / 3) << 2;
  const dst = out.reserve(<i64>size);
  const a = ALPHABET_BYTES;
  let at: usize = 0;
  let i: usize = 0;
  // Three bytes per step, read as one (unaligned, big-endian) word while a fourth byte is there to read.
  for (; i + 3 < len; i += 3) {
    const n = bswap<u32>(load<u32>(ptr + i)) >> 8;
    store<u32>(dst + at, <u32>load<u8>(a + (n >> 18)) | (<u32>load<u8>(a + ((n >> 12) & 63)) << 8)
      | (<u32>load<u8>(a + ((n >> 6) & 63)) << 16) | (<u32>load<u8>(a + (n & 63)) << 24));
    at += 4;
  }
  if (i + 2 < len) {
    const n = (<u32>load<u8>(ptr + i) << 16) | (<u32>load<u8>(ptr + i, 1) << 8) | <u32>load<u8>(ptr + i, 2);
    store<u32>(dst + at, <u32>load<u8>(a + (n >> 18)) | (<u32>load<u8>(a + ((n >> 12) & 63)) << 8)
      | (<u32>load<u8>(a + ((n >> 6) & 63)) << 16) | (<u32>load<u8>(a + (n & 63)) << 24));
    at += 4;
    i += 3;
  }
  const rest = len - i;
  if (rest > 0) {
    const n = (<u32>load<u8>(ptr + i) << 16) | (rest == 2 ? <u32>load<u8>(ptr + i, 1) << 8 : 0);
    store<u8>(dst + at, load<u8>(a + (n >> 18)));
    store<u8>(dst + at, load<u8>(a + ((n >> 12) & 63)), 1);
    store<u8>(dst + at, rest == 2 ? load<u8>(a + ((n >> 6) & 63)) : 61, 2);
    store<u8>(dst + at, 61, 3);
  }
  out.length += <i32>size;
}

/** Encodes bytes as padded base64 text. */
export function base64Encode(bytes: ArrayBuffer): string {
  const data = Uint8Array.wrap(bytes);
  const length = data.length;
  const outLength = ((length + 2) / 3) * 4;
  // Written straight into the string's UTF-16 storage: building it from pieces costs 20× more.
  const out = changetype<string>(__new(<usize>outLength << 1, idof<string>()));
  const base = changetype<usize>(out);
  const alphabet = changetype<usize>("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
  let at: usize = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = (<u32>unchecked(data[i]) << 16) | (<u32>unchecked(data[i + 1]) << 8) | <u32>unchecked(data[i + 2]);
    store<u16>(base + at, load<u16>(alphabet + ((<usize>(n >> 18)) << 1)));
    store<u16>(base + at + 2, load<u16>(alphabet + ((<usize>((n >> 12) & 63)) << 1)));
    store<u16>(base + at + 4, load<u16>(alphabet + ((<usize>((n >> 6) & 63)) << 1)));
    store<u16>(base + at + 6, load<u16>(alphabet + ((<usize>(n & 63)) << 1)));
    at += 8;
  }
  const rest = length - i;
  if (rest > 0) {
    const n = (<u32>unchecked(data[i]) << 16) | (rest == 2 ? <u32>unchecked(data[i + 1]) << 8 : 0);
    store<u16>(base + at, load<u16>(alphabet + ((<usize>(n >> 18)) << 1)));
    store<u16>(base + at + 2, load<u16>(alphabet + ((<usize>((n >> 12) & 63)) << 1)));
    store<u16>(base + at + 4, rest == 2 ? load<u16>(alphabet + ((<usize>((n >> 6) & 63)) << 1)) : 61);
    store<u16>(base + at + 6, 61);
  }
  return out;
}

function sextet(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x47;
  if (c >= 0x30 && c <= 0x39) return c + 4;
  if (c == 0x2b || c == 0x2d) return 62; // '+' or URL-safe '-'
  if (c == 0x2f || c == 0x5f) return 63; // '/' or URL-safe '_'
  return -1;
}

/** Decodes base64 (padding optional, whitespace ignored); null when the text is not base64. */
export function base64Decode(text: string): ArrayBuffer | null {
  const out = new Uint8Array((text.length * 3) / 4 + 3);
  let written = 0;
  let bits: u32 = 0;
  let count = 0;
  let padding = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) continue;
    if (c == 0x3d) { padding++; continue; }
    if (padding > 0) return null; // data after '='
    const value = sextet(c);
    if (value < 0) return null;
    bits = (bits << 6) | <u32>value;
    count++;
    if (count == 4) {
      out[written++] = <u8>(bits >> 16);
      out[written++] = <u8>(bits >> 8);
      out[written++] = <u8>bits;
      bits = 0;
      count = 0;
    }
  }
  if (count == 1 || padding > 2) return null;
  if (count == 2) out[written++] = <u8>(bits >> 4);
  else if (count == 3) {
    out[written++] = <u8>(bits >> 10);
    out[written++] = <u8>(bits >> 2);
  }
  return out.buffer.slice(0, written);
}
