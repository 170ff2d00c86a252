// Where a request goes on the function: the part of the client path after `path_prefix` joined onto
// function_uri's path with exactly one '/', the client's query appended to function_uri's own. The joined
// path can never climb above function_uri's path: dot segments (also encoded), encoded slashes and
// backslashes, NUL and malformed escapes are refused.
import { hexValue } from "../kernel/percent";

/** The path and query to send, or the status (400, 404) and reason for refusing the request. */
export class JoinedPath {
  constructor(public path: string, public query: string, public status: i32, public reason: string) {}
  get ok(): bool { return this.status == 0; }
}

function refuse(status: i32, reason: string): JoinedPath {
  return new JoinedPath("", "", status, reason);
}

/** Why a path segment may not be forwarded, or "" when it is safe. */
function segmentProblem(segment: string): string {
  let decodedDots = 0;
  let decodedLength = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    let byte = c;
    if (c == 0x25) {
      if (i + 2 >= segment.length) return "a malformed percent-encoding";
      const hi = hexValue(segment.charCodeAt(i + 1));
      const lo = hexValue(segment.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return "a malformed percent-encoding";
      byte = (hi << 4) | lo;
      i += 2;
      if (byte == 0x2f || byte == 0x5c) return "an encoded slash";
    }
    if (byte == 0x5c) return "a backslash";
    if (byte < 0x20 || byte == 0x7f) return "a control character";
    if (byte == 0x20 && c == 0x20) return "an unencoded space";
    if (byte == 0x2e) decodedDots++;
    decodedLength++;
  }
  if (decodedLength == decodedDots && decodedDots <= 2) return "a dot segment";
  return "";
}

function hasControl(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c == 0x7f || c == 0x23) return true;
  }
  return false;
}

/**
 * Joins the request's raw path onto the function's path, and its query onto the function's query.
 * With a prefix, the request must be the prefix itself or below it (404 otherwise).
 */
export function joinRequestPath(rawPath: string, clientQuery: string, functionPath: string, functionQuery: string,
  hasPrefix: bool, prefix: string): JoinedPath {
  if (hasControl(clientQuery)) return refuse(400, "query string has a control character");
  if (hasControl(rawPath)) return refuse(400, "path has a control character");

  let joined = functionPath;
  if (hasPrefix) {
    if (!rawPath.startsWith(prefix) || (rawPath.length > prefix.length && rawPath.charCodeAt(prefix.length) != 0x2f)) {
      return refuse(404, "path is outside path_prefix");
    }
    const rest = rawPath.substring(prefix.length);
    const segments = rest.split("/");
    const kept = new Array<string>();
    for (let i = 0; i < segments.length; i++) {
      const segment = unchecked(segments[i]);
      if (segment.length == 0) continue; // runs of '/' merge, as APISIX's route matching does
      const problem = segmentProblem(segment);
      if (problem.length > 0) return refuse(400, "path has " + problem);
      kept.push(segment);
    }
    if (kept.length > 0) {
      joined = functionPath + "/" + kept.join("/");
      if (rest.endsWith("/")) joined += "/";
    }
  }
  if (joined.length == 0) joined = "/";
  let query = functionQuery;
  if (clientQuery.length > 0) query = query.length > 0 ? query + "&" + clientQuery : clientQuery;
  return new JoinedPath(joined, query, 0, "");
}
