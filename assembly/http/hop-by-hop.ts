// Headers that belong to one connection, not to the message (RFC 9110 §7.6.1), plus the framing header the
// host recomputes. They never cross the filter in either direction and are never signed.
import { equalsAsciiLower, lowerAsciiUnit } from "../kernel/ascii";

/** Connection-scoped headers and Content-Length; ASCII case-insensitive. Names listed in Connection are extra. */
export function isHopByHop(name: string): bool {
  if (name.length < 2) return false;
  switch (lowerAsciiUnit(<u32>name.charCodeAt(0))) {
    case 0x63: // c
      return equalsAsciiLower(name, "connection") || equalsAsciiLower(name, "content-length");
    case 0x6b: // k
      return equalsAsciiLower(name, "keep-alive");
    case 0x70: // p
      return equalsAsciiLower(name, "proxy-connection") || equalsAsciiLower(name, "proxy-authorization")
        || equalsAsciiLower(name, "proxy-authenticate");
    case 0x74: // t
      return equalsAsciiLower(name, "te") || equalsAsciiLower(name, "trailer") || equalsAsciiLower(name, "transfer-encoding");
    case 0x75: // u
      return equalsAsciiLower(name, "upgrade");
  }
  return false;
}
