// SigV4 steps "HashedPayload" and "CanonicalRequest":
//   Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
// (CanonicalHeaders ends with its own '\n', hence the blank line before SignedHeaders).
import { Header } from "../http/header";
import { sha256Hex } from "../crypto/sha256";
import { ByteBuffer } from "./byte-buffer";
import { appendCanonicalUri } from "./canonical-uri";
import { appendCanonicalQuery } from "./canonical-query";
import { appendCanonicalHeaders } from "./canonical-headers";

/** Hex SHA-256 of an empty payload. */
export const EMPTY_PAYLOAD_HASH = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** SigV4 step: HashedPayload — lower-case hex SHA-256 of the exact body bytes (empty body included). */
export function payloadHash(body: ArrayBuffer): string {
  if (body.byteLength == 0) return EMPTY_PAYLOAD_HASH;
  return sha256Hex(body);
}

/**
 * Appends the CanonicalRequest to `out`, and the SignedHeaders list to `signed` as well (the signer needs
 * it again for the Authorization header). Every header in `headers` is signed.
 */
export function appendCanonicalRequest(
  out: ByteBuffer,
  signed: ByteBuffer,
  method: string,
  wirePath: string,
  rawQuery: string,
  headers: Array<Header>,
  hashedPayload: string,
  normalizePath: bool = true,
  encodePath: bool = true,
): void {
  out.writeString(method);
  out.writeByte(10);
  appendCanonicalUri(out, wirePath, normalizePath, encodePath);
  out.writeByte(10);
  appendCanonicalQuery(out, rawQuery);
  out.writeByte(10);
  let signedStart = signed.length;
  appendCanonicalHeaders(out, signed, headers);
  out.writeByte(10);
  out.writeFrom(signed, signedStart, signed.length);
  out.writeByte(10);
  out.writeString(hashedPayload);
}

/**
 * SigV4 step: CanonicalRequest for a request as sent — `wirePath` (percent-encoded, no query), `rawQuery`
 * (no '?'), the headers to sign (all of them are signed) and the hex payload hash.
 */
export function canonicalRequest(
  method: string,
  wirePath: string,
  rawQuery: string,
  headers: Array<Header>,
  hashedPayload: string,
  normalizePath: bool = true,
  encodePath: bool = true,
): string {
  let out = new ByteBuffer(1024);
  let signed = new ByteBuffer(128);
  appendCanonicalRequest(out, signed, method, wirePath, rawQuery, headers, hashedPayload, normalizePath, encodePath);
  return out.toString();
}

/** SigV4 step: CanonicalRequest assembled from already-canonical parts (`canonicalHeaders` ends with '\n'). */
export function canonicalRequestFromParts(
  method: string,
  canonicalUriValue: string,
  canonicalQueryValue: string,
  canonicalHeadersValue: string,
  signedHeadersValue: string,
  hashedPayload: string,
): string {
  let out = new ByteBuffer(256 + canonicalHeadersValue.length + canonicalQueryValue.length + canonicalUriValue.length);
  out.writeString(method);
  out.writeByte(10);
  out.writeString(canonicalUriValue);
  out.writeByte(10);
  out.writeString(canonicalQueryValue);
  out.writeByte(10);
  out.writeString(canonicalHeadersValue);
  out.writeByte(10);
  out.writeString(signedHeadersValue);
  out.writeByte(10);
  out.writeString(hashedPayload);
  return out.toString();
}
