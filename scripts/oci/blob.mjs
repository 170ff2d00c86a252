// Content-addressed blobs and the descriptors that point at them (OCI image spec, descriptor.md).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";

/** "sha256:<hex>" of the bytes. */
export function sha256Digest(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A blob: its bytes and its descriptor (media type, digest, size, optional annotations). */
export function blob(mediaType, bytes, annotations) {
  const descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  if (annotations) descriptor.annotations = annotations;
  return { bytes, descriptor };
}

/** Canonical JSON bytes for a config or manifest (key order as written, no trailing newline). */
export function jsonBytes(value) {
  return Buffer.from(JSON.stringify(value), "utf8");
}

// gzip header byte 9 names the OS that compressed; zlib writes its build's value. 255 ("unknown")
// keeps the layer digest the same whichever platform ran the packager.
const GZIP_OS_BYTE = 9;
const GZIP_OS_UNKNOWN = 255;

/** gzip with a zero mtime and a fixed OS byte, so equal input gives equal output. */
export function reproducibleGzip(bytes) {
  const gz = gzipSync(bytes, { level: 9 });
  gz[GZIP_OS_BYTE] = GZIP_OS_UNKNOWN;
  return gz;
}
