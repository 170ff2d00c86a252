// The request method goes onto the callout's request line: only an RFC 9110 token may pass, so CR/LF,
// spaces or NUL can never split or forge the line toward the function.
import { isToken } from "./token";

/** True for a non-empty method made of token characters (at most 64 of them). */
export function isMethodToken(method: string): bool {
  return isToken(method, 64);
}
