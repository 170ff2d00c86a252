// SigV4 steps "StringToSign", "Signature" and the Authorization header value.
import { sha256Utf8Hex } from "../crypto/sha256";
import { hmacSha256Utf8 } from "../crypto/hmac";
import { toHex } from "../crypto/hex";
import { ByteBuffer } from "./byte-buffer";

/** The SigV4 algorithm name. */
export const ALGORITHM = "AWS4-HMAC-SHA256";

/** SigV4 step: HashedCanonicalRequest — hex SHA-256 of the canonical request's UTF-8 bytes. */
export function hashedCanonicalRequest(canonicalRequestValue: string): string {
  return sha256Utf8Hex(canonicalRequestValue);
}

/** The StringToSign's first three lines: "AWS4-HMAC-SHA256\n" amzDate "\n" scope "\n". */
function appendStringToSignHead(out: ByteBuffer, amzDateValue: string, scope: string): void {
  out.writeString(ALGORITHM);
  out.writeByte(10);
  out.writeString(amzDateValue);
  out.writeByte(10);
  out.writeString(scope);
  out.writeByte(10);
}

/** Appends the StringToSign: "AWS4-HMAC-SHA256\n" amzDate "\n" scope "\n" hex(SHA-256(canonical request)). */
export function appendStringToSign(out: ByteBuffer, amzDateValue: string, scope: string, hashedRequest: string): void {
  appendStringToSignHead(out, amzDateValue, scope);
  out.writeString(hashedRequest);
}

/** Same as appendStringToSign, with the canonical request's digest given as `len` raw bytes at `digest`. */
export function appendStringToSignDigest(out: ByteBuffer, amzDateValue: string, scope: string, digest: usize, len: i32): void {
  appendStringToSignHead(out, amzDateValue, scope);
  out.writeHex(digest, len);
}

/** SigV4 step: StringToSign. */
export function stringToSign(amzDateValue: string, scope: string, hashedRequest: string): string {
  let out = new ByteBuffer(64 + scope.length + hashedRequest.length);
  appendStringToSign(out, amzDateValue, scope, hashedRequest);
  return out.toString();
}

/** SigV4 step: Signature — hex HMAC-SHA256 of the string to sign under the signing key. */
export function signature(signingKeyValue: ArrayBuffer, stringToSignValue: string): string {
  return toHex(hmacSha256Utf8(signingKeyValue, stringToSignValue));
}

// @ts-ignore: decorator
@inline function put(p: usize, s: string): usize {
  let bytes = <usize>s.length << 1;
  memory.copy(p, changetype<usize>(s), bytes);
  return p + bytes;
}

/**
 * SigV4 step: the Authorization header value,
 * "AWS4-HMAC-SHA256 Credential=<access key>/<scope>, SignedHeaders=<list>, Signature=<hex>".
 */
export function authorizationHeader(accessKey: string, scope: string, signedHeadersValue: string, signatureValue: string): string {
  // One allocation: the parts are copied straight into the result.
  const PREFIX = "AWS4-HMAC-SHA256 Credential=";
  const SIGNED = ", SignedHeaders=";
  const SIGNATURE = ", Signature=";
  let total = PREFIX.length + accessKey.length + 1 + scope.length + SIGNED.length + signedHeadersValue.length
    + SIGNATURE.length + signatureValue.length;
  let out = changetype<string>(__new(<usize>total << 1, idof<string>()));
  let p = put(changetype<usize>(out), PREFIX);
  p = put(p, accessKey);
  store<u16>(p, 47); // '/'
  p = put(p + 2, scope);
  p = put(p, SIGNED);
  p = put(p, signedHeadersValue);
  p = put(p, SIGNATURE);
  put(p, signatureValue);
  return out;
}
