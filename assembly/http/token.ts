// The RFC 9110 token: what a method and a field name are made of. Anything else (space, ':', CR, LF, NUL,
// non-ASCII) would split or forge a request line or a header line on the wire.

/** tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
export function isTokenChar(c: i32): bool {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e
    || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

/** True for a non-empty run of at most `maxLength` token characters. */
export function isToken(text: string, maxLength: i32): bool {
  if (text.length == 0 || text.length > maxLength) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}
