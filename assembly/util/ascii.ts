// ASCII case folding: header names, schemes, hosts and media types are case-insensitive in ASCII only
// (RFC 9110), and String#toLowerCase would pull Unicode case tables into the module.

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
    const c = text.charCodeAt(k);
    store<u16>(base + (<usize>k << 1), <u16>(c >= 0x41 && c <= 0x5a ? c | 0x20 : c));
  }
  return out;
}
