// Unit-test entry for assembly/crypto: thin exports over the SHA-256, HMAC and hex modules.
import { Sha256 } from "../crypto/sha256";
import { HmacSha256 } from "../crypto/hmac";

export { sha256, sha256Hex, sha256Utf8Hex } from "../crypto/sha256";
export { hmacSha256, hmacSha256Utf8 } from "../crypto/hmac";
export { toHex } from "../kernel/hex";

// One streaming hasher shared by the stream* exports, so tests also cover reuse after digest().
const stream = new Sha256();

/** Sha256.reset() on the shared hasher. */
export function streamReset(): void { stream.reset(); }
/** Sha256.update() on the shared hasher. */
export function streamUpdate(data: ArrayBuffer): void { stream.update(data); }
/** Sha256.updateRange() on the shared hasher. */
export function streamUpdateRange(data: ArrayBuffer, offset: i32, length: i32): void { stream.updateRange(data, offset, length); }
/** Sha256.updateUtf8() on the shared hasher. */
export function streamUpdateUtf8(text: string): void { stream.updateUtf8(text); }
/** Sha256.digest() on the shared hasher. */
export function streamDigest(): ArrayBuffer { return stream.digest(); }

/** HmacSha256(key).mac(message). */
export function hmacPrecomputed(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer {
  return new HmacSha256(key).mac(message);
}
/** HmacSha256(key).macUtf8(message), twice, to check the precomputed key survives reuse. */
export function hmacPrecomputedUtf8Twice(key: ArrayBuffer, message: string): ArrayBuffer {
  const h = new HmacSha256(key);
  h.macUtf8(message);
  return h.macUtf8(message);
}
