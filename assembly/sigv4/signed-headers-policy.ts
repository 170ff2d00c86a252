// Which of the outgoing headers the filter puts into SignedHeaders.
//
// Rule: a header is signed only if AWS needs it or it carries meaning the caller must not be able to
// have swapped after signing, and only if nothing between us and AWS will add, drop or rewrite it:
//   signed:    host, every x-amz-* (x-amz-date, x-amz-security-token, x-amz-content-sha256,
//              x-amz-invocation-type, x-amz-client-context, ...), content-type, x-api-key.
//   never:     pseudo-headers (":authority" etc.; the signer maps :authority to host itself),
//              hop-by-hop headers (connection, keep-alive, proxy-connection, te, trailer,
//              transfer-encoding, upgrade, proxy-authorization, proxy-authenticate), headers proxies
//              add or rewrite (x-forwarded-*, forwarded, via, x-request-id, x-amzn-trace-id,
//              user-agent), framing/negotiation (content-length, expect) and authorization itself.
//   otherwise: not signed. Anything not listed above may be changed in transit, and a signed header
//              that changes makes AWS reject the request; leaving it unsigned costs nothing, since
//              host + x-amz-date + the payload hash already bind the request.
// The "never" list is checked first so a future widening of the allow-list cannot sign one of them.
// Names are matched case-insensitively.

import { equalsAsciiLower, lowerAsciiUnit, startsWithAsciiLower } from "../kernel/ascii";
import { isHopByHop } from "../http/hop-by-hop";

/** Headers that are never signed (see the rule above). */
export function isNeverSigned(name: string): bool {
  if (name.length == 0 || name.charCodeAt(0) == 0x3a) return true; // ':' pseudo-header
  if (isHopByHop(name) || startsWithAsciiLower(name, "x-forwarded-")) return true;
  switch (lowerAsciiUnit(<u32>name.charCodeAt(0))) {
    case 0x61: // a
      return equalsAsciiLower(name, "authorization");
    case 0x65: // e
      return equalsAsciiLower(name, "expect");
    case 0x66: // f
      return equalsAsciiLower(name, "forwarded");
    case 0x75: // u
      return equalsAsciiLower(name, "user-agent");
    case 0x76: // v
      return equalsAsciiLower(name, "via");
    case 0x78: // x
      return equalsAsciiLower(name, "x-request-id") || equalsAsciiLower(name, "x-amzn-trace-id");
  }
  return false;
}

/**
 * The filter's signed-headers policy: true for host, x-amz-*, content-type and x-api-key; false for
 * everything else, and always false for the never-signed headers (pseudo, hop-by-hop, proxy-added,
 * content-length, expect, authorization). Case-insensitive.
 */
export function isSignedHeader(name: string): bool {
  if (isNeverSigned(name)) return false;
  return equalsAsciiLower(name, "host") || startsWithAsciiLower(name, "x-amz-") || equalsAsciiLower(name, "content-type")
    || equalsAsciiLower(name, "x-api-key");
}
