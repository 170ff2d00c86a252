// `function_uri`: an absolute http(s) URL of an API Gateway stage, a Lambda Function URL, or any
// endpoint on loopback for testing. Parsed once at configure time into the parts a callout needs.
import { asciiLower } from "../kernel/ascii";

/** The parts of a validated function_uri. */
export class FunctionUri {
  /** "http" or "https". */
  scheme: string = "https";
  /** Lower-case host name or bracketed IPv6 literal, without port. */
  host: string = "";
  /** Decimal port as written, or "" when none was given. */
  port: string = "";
  /** Path as written (percent-encoded form), without a trailing slash; "" for the root. */
  path: string = "";
  /** Query without the '?', "" when none. */
  query: string = "";

  /** host[:port], the `:authority` and default upstream of callouts. */
  get authority(): string {
    return this.port.length > 0 ? this.host + ":" + this.port : this.host;
  }
}

export class FunctionUriResult {
  constructor(public uri: FunctionUri | null, public error: string) {}
}

function isHostChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f;
}

/** Characters allowed as-is in a path or query of a URL we send (RFC 3986 pchar + '/' + '?'; '%' for escapes). */
function isUrlChar(c: i32): bool {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return true;
  return "-._~!$&'()*+,;=:@/%?".indexOf(String.fromCharCode(c)) >= 0;
}

/** Validates and splits a function_uri; the error names the rule it breaks. */
export function parseFunctionUri(text: string): FunctionUriResult {
  const lower = asciiLower(text);
  const uri = new FunctionUri();
  let rest: string;
  if (lower.startsWith("https://")) { uri.scheme = "https"; rest = text.substring(8); }
  else if (lower.startsWith("http://")) { uri.scheme = "http"; rest = text.substring(7); }
  else return new FunctionUriResult(null, "must be an absolute http:// or https:// URL");

  let authorityEnd = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c == 0x2f || c == 0x3f || c == 0x23) { authorityEnd = i; break; }
  }
  const authority = asciiLower(rest.substring(0, authorityEnd));
  const tail = rest.substring(authorityEnd);
  if (authority.includes("@")) return new FunctionUriResult(null, "must not carry credentials in the URL");

  let hostEnd = authority.length;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) return new FunctionUriResult(null, "has an unterminated IPv6 address");
    for (let i = 1; i < close; i++) {
      const c = authority.charCodeAt(i);
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || c == 0x3a || c == 0x2e)) {
        return new FunctionUriResult(null, "has an invalid IPv6 address");
      }
    }
    hostEnd = close + 1;
    if (hostEnd < authority.length && authority.charCodeAt(hostEnd) != 0x3a) {
      return new FunctionUriResult(null, "has an invalid host");
    }
  } else {
    const colon = authority.indexOf(":");
    if (colon >= 0) hostEnd = colon;
    for (let i = 0; i < hostEnd; i++) {
      if (!isHostChar(authority.charCodeAt(i))) return new FunctionUriResult(null, "has an invalid host");
    }
  }
  uri.host = authority.substring(0, hostEnd);
  if (uri.host.length == 0 || uri.host == "[]") return new FunctionUriResult(null, "has no host");
  if (hostEnd < authority.length) {
    const port = authority.substring(hostEnd + 1);
    if (port.length == 0 || port.length > 5) return new FunctionUriResult(null, "has an invalid port");
    let value = 0;
    for (let i = 0; i < port.length; i++) {
      const c = port.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return new FunctionUriResult(null, "has an invalid port");
      value = value * 10 + (c - 0x30);
    }
    if (value < 1 || value > 65535) return new FunctionUriResult(null, "has an invalid port");
    uri.port = port;
  }

  if (tail.includes("#")) return new FunctionUriResult(null, "must not have a #fragment");
  for (let i = 0; i < tail.length; i++) {
    if (!isUrlChar(tail.charCodeAt(i))) {
      return new FunctionUriResult(null, "has a character that must be percent-encoded at offset "
        + (text.length - rest.length + authorityEnd + i).toString());
    }
  }
  const question = tail.indexOf("?");
  const path = question < 0 ? tail : tail.substring(0, question);
  uri.query = question < 0 ? "" : tail.substring(question + 1);
  // One substring: trimming a slash at a time copied the path once per slash (a megabyte took minutes).
  let pathEnd = path.length;
  while (pathEnd > 0 && path.charCodeAt(pathEnd - 1) == 0x2f) pathEnd--;
  uri.path = path.substring(0, pathEnd);
  return new FunctionUriResult(uri, "");
}
