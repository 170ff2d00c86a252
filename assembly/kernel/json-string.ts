// JSON string literals (RFC 8259), written straight into the result string. Lone surrogates become \u
// escapes, so the output is always valid UTF-8 once encoded.

const HEX = "0123456789abcdef";

/** How one UTF-16 unit is written: 1 (as is), 2 (\" \\ \n \r \t) or 6 (\u00XX / lone surrogate). */
// @ts-ignore: decorator
@inline function escapedWidth(text: string, i: i32, c: i32): i32 {
  if (c == 0x22 || c == 0x5c || c == 0x0a || c == 0x0d || c == 0x09) return 2;
  if (c < 0x20) return 6;
  if ((c & 0xf800) == 0xd800 && !pairedSurrogate(text, i) && !afterLead(text, i)) return 6;
  return 1;
}

/** JSON string literal of `text`, built in two passes straight into the result (bodies can be MBs). */
export function jsonString(text: string): string {
  const length = text.length;
  let size = 2;
  for (let i = 0; i < length; i++) size += escapedWidth(text, i, text.charCodeAt(i));
  const out = changetype<string>(__new(<usize>size << 1, idof<string>()));
  const base = changetype<usize>(out);
  store<u16>(base, 0x22);
  let at: usize = 2;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    const width = escapedWidth(text, i, c);
    if (width == 1) { store<u16>(base + at, <u16>c); at += 2; continue; }
    store<u16>(base + at, 0x5c);
    if (width == 2) {
      store<u16>(base + at + 2, <u16>(c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : c == 0x09 ? 0x74 : c));
      at += 4;
      continue;
    }
    store<u16>(base + at + 2, 0x75);
    for (let k = 0; k < 4; k++) store<u16>(base + at + 4 + (<usize>k << 1), <u16>HEX.charCodeAt((c >> (12 - 4 * k)) & 15));
    at += 12;
  }
  store<u16>(base + at, 0x22);
  return out;
}

/** A trail surrogate that completes the pair begun just before it. */
function afterLead(text: string, i: i32): bool {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && i > 0 && (text.charCodeAt(i - 1) & 0xfc00) == 0xd800;
}

/** A lead surrogate followed by its trail. */
function pairedSurrogate(text: string, i: i32): bool {
  const c = text.charCodeAt(i);
  if (c < 0xdc00) return i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) == 0xdc00;
  return false;
}
