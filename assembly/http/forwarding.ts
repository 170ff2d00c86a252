// Which headers cross the filter. Toward the function: the client's headers minus hop-by-hop and framing
// headers (the host reframes), minus credentials the filter replaces, minus any value a header injection
// could hide in (CR, LF, NUL). Back to the client: the function's headers minus the same hop-by-hop set.
import { Header } from "./header";

/** Connection-scoped headers (RFC 9110 §7.6.1) plus framing headers the host sets itself. */
export function isHopByHop(name: string): bool {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" || name == "te"
    || name == "trailer" || name == "transfer-encoding" || name == "upgrade" || name == "content-length"
    || name == "proxy-authorization" || name == "proxy-authenticate";
}

/** A value that would split or truncate a header line on the wire. */
export function hasUnsafeValue(value: string): bool {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c == 0x0d || c == 0x0a || c == 0) return true;
  }
  return false;
}

/** Extra hop-by-hop names the client listed in its Connection header. */
function connectionTokens(headers: Array<Header>): Array<string> {
  const tokens = new Array<string>();
  for (let i = 0; i < headers.length; i++) {
    const header = unchecked(headers[i]);
    if (header.name != "connection") continue;
    const parts = header.value.toLowerCase().split(",");
    for (let k = 0; k < parts.length; k++) {
      const token = unchecked(parts[k]).trim();
      if (token.length > 0) tokens.push(token);
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
    if (name == "host" || isHopByHop(name) || listed.includes(name)) continue;
    if (replaced.apiKey && name == "x-api-key") continue;
    if (replaced.signing && (name == "authorization" || name == "x-amz-date" || name == "x-amz-security-token"
      || name == "x-amz-content-sha256")) continue;
    if (hasUnsafeValue(header.value) || hasUnsafeValue(name)) continue;
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
    if (isHopByHop(name) || listed.includes(name)) continue;
    if (hasUnsafeValue(header.value) || hasUnsafeValue(name)) continue;
    kept.push(header);
  }
  return kept;
}
