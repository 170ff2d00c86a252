// SigV4 steps "HashedPayload" and "CanonicalRequest":
//   Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
// (CanonicalHeaders ends with its own '\n', hence the blank line before SignedHeaders).
import { Header } from "../http/header";
import { sha256Hex } from "../crypto/sha256";
import { ByteBuffer } from "../kernel/byte-buffer";
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

/** What a canonical request is made of: the request as sent and exactly the headers to sign. */
export class CanonicalInput {
  method: string = "GET";
  /** Path as sent (percent-encoded), without the query. */
  wirePath: string = "/";
  /** Query as sent, without the '?'. */
  rawQuery: string = "";
  /** Every header here is signed. */
  headers: Array<Header> = [];
  /** Hex SHA-256 of the payload. */
  payloadHash: string = EMPTY_PAYLOAD_HASH;
  /** Remove dot segments and merge slashes (every service but S3). */
  normalizePath: bool = true;
  /** URI-encode the wire path once more (every service but S3). */
  encodePath: bool = true;
}

/**
 * Appends the CanonicalRequest to `out`, and the SignedHeaders list to `signed` as well (the signer needs
 * it again for the Authorization header).
 */
export function appendCanonicalRequest(out: ByteBuffer, signed: ByteBuffer, input: CanonicalInput): void {
  out.writeString(input.method);
  out.writeByte(10);
  appendCanonicalUri(out, input.wirePath, input.normalizePath, input.encodePath);
  out.writeByte(10);
  appendCanonicalQuery(out, input.rawQuery);
  out.writeByte(10);
  const signedStart = signed.length;
  appendCanonicalHeaders(out, signed, input.headers);
  out.writeByte(10);
  out.writeFrom(signed, signedStart, signed.length);
  out.writeByte(10);
  out.writeString(input.payloadHash);
}

/** SigV4 step: CanonicalRequest. */
export function canonicalRequest(input: CanonicalInput): string {
  const out = new ByteBuffer(1024);
  const signed = new ByteBuffer(128);
  appendCanonicalRequest(out, signed, input);
  return out.toString();
}
