// Lower-case hex encoding, written straight into a freshly allocated string (no intermediate copies).

// @ts-ignore: decorator
@inline function hexDigit(n: u32): u32 {
  // '0'..'9' for 0..9, 'a'..'f' for 10..15, without a branch: +39 when n > 9.
  return n + 48 + ((<u32>(<i32>(9 - n) >> 31)) & 39);
}

/** Lower-case hex of `len` bytes at `ptr`; internal helper for callers that hash into scratch memory. */
export function hexFromPtr(ptr: usize, len: i32): string {
  if (len <= 0) return "";
  const out = changetype<string>(__new(<usize>len << 2, idof<string>()));
  const dst = changetype<usize>(out);
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(ptr + <usize>i);
    // Two UTF-16 code units per byte, high nibble first (little-endian u32 store).
    store<u32>(dst + (<usize>i << 2), hexDigit(b >> 4) | (hexDigit(b & 15) << 16));
  }
  return out;
}

/** Lower-case hex encoding of every byte of `bytes`. */
export function toHex(bytes: ArrayBuffer): string {
  return hexFromPtr(changetype<usize>(bytes), bytes.byteLength);
}
