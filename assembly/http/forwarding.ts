// Which headers cross the filter. Toward the function: the client's headers minus hop-by-hop and framing
// headers (the host reframes), minus credentials the filter replaces, minus any value a header injection
// could hide in (CR, LF, NUL) or whose name is not a field name. Back to the client: the function's headers
// minus the same hop-by-hop set, under the same rules.
import { Header } from "./header";
import { asciiLower } from "../kernel/ascii";
import { isHopByHop } from "./hop-by-hop";
import { isToken } from "./token";

/** A value that would split or truncate a header line on the wire. */
export function hasUnsafeValue(value: string): bool {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c == 0x0d || c == 0x0a || c == 0) return true;
  }
  return false;
}

/** An RFC 9110 field name; anything else would corrupt or split the header line on the wire. */
export function isFieldName(name: string): bool {
  return isToken(name, I32.MAX_VALUE);
}

/**
 * Extra hop-by-hop names listed in Connection headers. A set: a reply with tens of thousands of listed
 * names and headers made a list lookup per header quadratic.
 */
function connectionTokens(headers: Array<Header>): Set<string> {
  const tokens = new Set<string>();
  for (let i = 0; i < headers.length; i++) {
    const header = unchecked(headers[i]);
    if (header.name != "connection") continue;
    const parts = asciiLower(header.value).split(",");
    for (let k = 0; k < parts.length; k++) {
      const token = unchecked(parts[k]).trim();
      if (token.length > 0) tokens.add(token);
    }
  }
  return tokens;
}

/** What the filter adds or replaces itself, so the client's copy is dropped. */
export class Replaced {
  /** Drop the client's x-api-key (an API key is configured). */
  apiKey: bool = false;
  /** Drop the client's authorization and x-amz-date / x-amz-security-token / x-amz-content-sha256 (IAM signing). */
  signing: bool = false;
}

/** The client headers that travel to the function, pseudo-headers excluded, in client order. */
export function forwardedRequestHeaders(client: Array<Header>, replaced: Replaced): Array<Header> {
  const listed = connectionTokens(client);
  const kept = new Array<Header>();
  for (let i = 0; i < client.length; i++) {
    const header = unchecked(client[i]);
    const name = header.name;
    if (name.length == 0 || name.charCodeAt(0) == 0x3a) continue;
    if (name == "host" || isHopByHop(name) || listed.has(name)) continue;
    if (replaced.apiKey && name == "x-api-key") continue;
    if (replaced.signing && (name == "authorization" || name == "x-amz-date" || name == "x-amz-security-token"
      || name == "x-amz-content-sha256")) continue;
    if (hasUnsafeValue(header.value) || !isFieldName(name)) continue;
    kept.push(header);
  }
  return kept;
}

/** The function's response headers that go back to the client (`:status` and hop-by-hop removed). */
export function forwardedResponseHeaders(response: Array<Header>): Array<Header> {
  const listed = connectionTokens(response);
  const kept = new Array<Header>();
  for (let i = 0; i < response.length; i++) {
    const header = unchecked(response[i]);
    const name = header.name;
    if (name.length == 0 || name.charCodeAt(0) == 0x3a) continue;
    if (isHopByHop(name) || listed.has(name)) continue;
    if (hasUnsafeValue(header.value) || !isFieldName(name)) continue;
    kept.push(header);
  }
  return kept;
}
