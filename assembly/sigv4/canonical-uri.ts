// SigV4 step "CanonicalURI" (task 1 of the canonical request): the request path, normalized and
// URI-encoded. For every service except S3, AWS normalizes the path and encodes the wire path
// (already percent-encoded) once more — "double encoding": /a%20b -> /a%2520b.
import { ByteBuffer } from "../kernel/byte-buffer";
import { appendUriEncoded } from "../kernel/percent";

// Segment stack reused across calls: pairs of [start, end) code-unit offsets into the path.
const segments = new Array<i32>(32);

/**
 * Normalizes the segments of `path` the way the aws-c-auth suite expects with `normalize: true`
 * (RFC 3986 "remove dot segments" plus merged slashes): empty segments (from `//`) and `.` are dropped,
 * `..` removes the previous segment (never above the root), the result starts with exactly one `/`
 * and keeps a trailing `/` when the input had one and at least one segment remains. Fills `segments`
 * and returns whether the result ends with a slash.
 */
function splitNormalized(path: string): bool {
  segments.length = 0;
  const n = path.length;
  let i = 0;
  while (i <= n) {
    let j = i;
    while (j < n && path.charCodeAt(j) != 47) j++;
    const len = j - i;
    if (len == 0 || (len == 1 && path.charCodeAt(i) == 46)) {
      // "" or "." contribute nothing
    } else if (len == 2 && path.charCodeAt(i) == 46 && path.charCodeAt(i + 1) == 46) {
      if (segments.length >= 2) segments.length -= 2; // ".." pops (no-op at the root)
    } else {
      segments.push(i);
      segments.push(j);
    }
    i = j + 1;
  }
  return n > 0 && path.charCodeAt(n - 1) == 47;
}

/** True when `path` is already normalized (starts with '/', no "//", "/./", "/../", trailing "/." or "/.."). */
function isNormalized(path: string): bool {
  const n = path.length;
  if (n == 0 || path.charCodeAt(0) != 47) return false;
  // Scan each segment that follows a '/'.
  let i = 1;
  while (i <= n) {
    let j = i;
    while (j < n && path.charCodeAt(j) != 47) j++;
    const len = j - i;
    if (len == 0) {
      if (j < n) return false; // "//"
      // trailing slash (or the bare "/") is fine
    } else if (len <= 2 && path.charCodeAt(i) == 46) {
      if (len == 1 || path.charCodeAt(i + 1) == 46) return false; // "." or ".."
    }
    i = j + 1;
  }
  return true;
}

/**
 * Appends the CanonicalURI of `wirePath` (the path as sent, already percent-encoded, no query) to `out`.
 * `normalize`: remove dot segments and merge slashes (all services but S3). `encode`: URI-encode the path
 * once more, keeping '/' (all services but S3); when false the path is used as sent. An empty path is "/".
 */
export function appendCanonicalUri(out: ByteBuffer, wirePath: string, normalize: bool = true, encode: bool = true): void {
  const n = wirePath.length;
  if (n == 0) {
    out.writeByte(47);
    return;
  }
  if (!normalize || isNormalized(wirePath)) {
    if (encode) appendUriEncoded(out, wirePath, 0, n, true);
    else out.writeString(wirePath);
    return;
  }
  const endsWithSlash = splitNormalized(wirePath);
  out.writeByte(47);
  const count = segments.length;
  for (let k = 0; k < count; k += 2) {
    const start = unchecked(segments[k]);
    const end = unchecked(segments[k + 1]);
    if (encode) appendUriEncoded(out, wirePath, start, end, true);
    else out.writeStringRange(wirePath, start, end);
    if (k + 2 < count || endsWithSlash) out.writeByte(47);
  }
}

/**
 * SigV4 step: CanonicalURI. `canonicalUri("/a%20b")` is "/a%2520b"; `canonicalUri("//x/./y/../")` is "/x/".
 * With `normalize` and `encode` false (S3 style) the wire path is used verbatim ("" -> "/").
 */
export function canonicalUri(wirePath: string, normalize: bool = true, encode: bool = true): string {
  const out = new ByteBuffer(wirePath.length * 3 + 16);
  appendCanonicalUri(out, wirePath, normalize, encode);
  return out.toString();
}
