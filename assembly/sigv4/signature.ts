// SigV4 steps "StringToSign", "Signature" and the Authorization header value.
import { sha256Utf8Hex } from "../crypto/sha256";
import { hmacSha256Utf8 } from "../crypto/hmac";
import { toHex } from "../kernel/hex";
import { ByteBuffer } from "../kernel/byte-buffer";
import { FixedString } from "../kernel/fixed-string";

/** The SigV4 algorithm name. */
export const ALGORITHM = "AWS4-HMAC-SHA256";

/** SigV4 step: HashedCanonicalRequest — hex SHA-256 of the canonical request's UTF-8 bytes. */
export function hashedCanonicalRequest(canonicalRequestValue: string): string {
  return sha256Utf8Hex(canonicalRequestValue);
}

/** Appends the StringToSign: "AWS4-HMAC-SHA256\n" amzDate "\n" scope "\n" hex(SHA-256(canonical request)). */
export function appendStringToSign(out: ByteBuffer, amzDateValue: string, scope: string, hashedRequest: string): void {
  out.writeString(ALGORITHM);
  out.writeByte(10);
  out.writeString(amzDateValue);
  out.writeByte(10);
  out.writeString(scope);
  out.writeByte(10);
  out.writeString(hashedRequest);
}

/** SigV4 step: Signature — hex HMAC-SHA256 of the string to sign under the signing key. */
export function signature(signingKeyValue: ArrayBuffer, stringToSignValue: string): string {
  return toHex(hmacSha256Utf8(signingKeyValue, stringToSignValue));
}

/**
 * SigV4 step: the Authorization header value,
 * "AWS4-HMAC-SHA256 Credential=<access key>/<scope>, SignedHeaders=<list>, Signature=<hex>".
 */
export function authorizationHeader(accessKey: string, scope: string, signedHeadersValue: string, signatureValue: string): string {
  const PREFIX = "AWS4-HMAC-SHA256 Credential=";
  const SIGNED = ", SignedHeaders=";
  const SIGNATURE = ", Signature=";
  const total = PREFIX.length + accessKey.length + 1 + scope.length + SIGNED.length + signedHeadersValue.length
    + SIGNATURE.length + signatureValue.length;
  return new FixedString(total).text(PREFIX).text(accessKey).unit(47 /* / */).text(scope).text(SIGNED)
    .text(signedHeadersValue).text(SIGNATURE).text(signatureValue).done();
}
