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

// @ts-ignore: decorator
@inline function lowerAscii(c: u32): u32 {
  return c - 65 < 26 ? c | 32 : c;
}

/** Case-insensitive equality with a lower-case ASCII literal. */
function nameIs(name: string, lower: string): bool {
  let n = name.length;
  if (n != lower.length) return false;
  return startsWith(name, lower);
}

/** Case-insensitive prefix test against a lower-case ASCII literal. */
function startsWith(name: string, lowerPrefix: string): bool {
  let n = lowerPrefix.length;
  if (name.length < n) return false;
  let a = changetype<usize>(name);
  let b = changetype<usize>(lowerPrefix);
  for (let i = 0; i < n; i++) {
    if (lowerAscii(<u32>load<u16>(a + (<usize>i << 1))) != <u32>load<u16>(b + (<usize>i << 1))) return false;
  }
  return true;
}

/** Headers that are never signed (see the rule above). */
export function isNeverSigned(name: string): bool {
  let n = name.length;
  if (n == 0) return true;
  if (load<u16>(changetype<usize>(name)) == 58) return true; // ':' pseudo-header
  if (startsWith(name, "x-forwarded-")) return true;
  switch (lowerAscii(<u32>load<u16>(changetype<usize>(name)))) {
    case 97: // a
      return nameIs(name, "authorization");
    case 99: // c
      return nameIs(name, "connection") || nameIs(name, "content-length");
    case 101: // e
      return nameIs(name, "expect");
    case 102: // f
      return nameIs(name, "forwarded");
    case 107: // k
      return nameIs(name, "keep-alive");
    case 112: // p
      return nameIs(name, "proxy-connection") || nameIs(name, "proxy-authorization") || nameIs(name, "proxy-authenticate");
    case 116: // t
      return nameIs(name, "te") || nameIs(name, "trailer") || nameIs(name, "transfer-encoding");
    case 117: // u
      return nameIs(name, "upgrade") || nameIs(name, "user-agent");
    case 118: // v
      return nameIs(name, "via");
    case 120: // x
      return nameIs(name, "x-request-id") || nameIs(name, "x-amzn-trace-id");
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
  return nameIs(name, "host") || startsWith(name, "x-amz-") || nameIs(name, "content-type") || nameIs(name, "x-api-key");
}
