// The request method goes onto the callout's request line: only an RFC 9110 token may pass, so CR/LF,
// spaces or NUL can never split or forge the line toward the function.

/** tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
function isTokenChar(c: i32): bool {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e
    || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

/** True for a non-empty method made of token characters (at most 64 of them). */
export function isMethodToken(method: string): bool {
  if (method.length == 0 || method.length > 64) return false;
  for (let i = 0; i < method.length; i++) if (!isTokenChar(method.charCodeAt(i))) return false;
  return true;
}
