// `host[:port]` as an address a host connects to (APISIX's callout target): a DNS name of letters, digits,
// '-' and '.', or a bracketed IPv6 literal, and an optional port 1–65535. Envoy cluster names ("lambda_api",
// "outbound|443||fn.example.com") and paths ("host/path") are not addresses.

function isNameChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e;
}

function isPort(text: string): bool {
  if (text.length == 0 || text.length > 5) return false;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
    value = value * 10 + (c - 0x30);
  }
  return value >= 1 && value <= 65535;
}

/** True for `host`, `host:port`, `[v6]` and `[v6]:port`. */
export function isHostPort(text: string): bool {
  let hostEnd: i32;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 2) return false;
    for (let i = 1; i < close; i++) {
      const c = text.charCodeAt(i);
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c == 0x3a || c == 0x2e)) return false;
    }
    hostEnd = close + 1;
  } else {
    const colon = text.indexOf(":");
    hostEnd = colon < 0 ? text.length : colon;
    if (hostEnd == 0) return false;
    for (let i = 0; i < hostEnd; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  }
  if (hostEnd == text.length) return true;
  return text.charCodeAt(hostEnd) == 0x3a && isPort(text.substring(hostEnd + 1));
}
