// ASCII case folding: header names, schemes, hosts and media types are case-insensitive in ASCII only
// (RFC 9110), and String#toLowerCase would pull Unicode case tables into the module. The one copy of
// every case-insensitive comparison the filter makes.

/** Code unit `c` with A–Z lowered. */
// @ts-ignore: decorator
@inline export function lowerAsciiUnit(c: u32): u32 {
  return c - 65 < 26 ? c | 32 : c;
}

/** `text` with A–Z lowered; every other character unchanged. */
export function asciiLower(text: string): string {
  let i = 0;
  const length = text.length;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) break;
    i++;
  }
  if (i == length) return text; // the common case: nothing to lower, no copy
  const out = changetype<string>(__new(<usize>length << 1, idof<string>()));
  const base = changetype<usize>(out);
  for (let k = 0; k < length; k++) {
    store<u16>(base + (<usize>k << 1), <u16>lowerAsciiUnit(<u32>text.charCodeAt(k)));
  }
  return out;
}

/** True when `text` starts with `lowerPrefix` (a lower-case ASCII literal), ignoring ASCII case. */
export function startsWithAsciiLower(text: string, lowerPrefix: string): bool {
  const n = lowerPrefix.length;
  if (text.length < n) return false;
  const a = changetype<usize>(text);
  const b = changetype<usize>(lowerPrefix);
  for (let i = 0; i < n; i++) {
    if (lowerAsciiUnit(<u32>load<u16>(a + (<usize>i << 1))) != <u32>load<u16>(b + (<usize>i << 1))) return false;
  }
  return true;
}

/** True when `text` equals `lower` (a lower-case ASCII literal), ignoring ASCII case. */
export function equalsAsciiLower(text: string, lower: string): bool {
  return text.length == lower.length && startsWithAsciiLower(text, lower);
}

/** Orders two strings by their ASCII-lowered code units (shorter first on a common prefix). */
export function compareAsciiCaseless(a: string, b: string): i32 {
  if (changetype<usize>(a) == changetype<usize>(b)) return 0;
  const la = a.length;
  const lb = b.length;
  const n = la < lb ? la : lb;
  const pa = changetype<usize>(a);
  const pb = changetype<usize>(b);
  for (let i = 0; i < n; i++) {
    const ca = lowerAsciiUnit(<u32>load<u16>(pa + (<usize>i << 1)));
    const cb = lowerAsciiUnit(<u32>load<u16>(pb + (<usize>i << 1)));
    if (ca != cb) return <i32>ca - <i32>cb;
  }
  return la - lb;
}
