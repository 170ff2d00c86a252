// SigV4 (AWS4-HMAC-SHA256, Authorization-header flavour) end to end. The canonical request is built
// once, as bytes, in a reused buffer and hashed in place; the signing key comes from a per-day cache
// with a precomputed HMAC key schedule. Intermediate results stay available for tests and logging.
import { Header } from "../http/header";
import { CTX_SIZE, ctxFinal, ctxInit, ctxResume, ctxUpdate } from "../crypto/sha256";
import { hexFromPtr } from "../crypto/hex";
import { ByteBuffer } from "./byte-buffer";
import { amzDate } from "./amz-date";
import { appendCanonicalRequest, payloadHash } from "./canonical-request";
import { cachedSigningKeyForAmzDate } from "./signing-key";
import { appendStringToSignDigest, authorizationHeader } from "./signature";
import { isSignedHeader } from "./signed-headers-policy";

/** Everything one signing produced; `headersToAdd()` is what goes on the request. */
export class SigningResult {
  /** Set by signRequest when a session token was given (it is then signed and must be sent). */
  sessionToken: string | null = null;

  constructor(
    /** X-Amz-Date value, "YYYYMMDDTHHMMSSZ". */
    public amzDate: string,
    /** Credential scope, "YYYYMMDD/region/service/aws4_request". */
    public credentialScope: string,
    /** SignedHeaders, "host;x-amz-date". */
    public signedHeaders: string,
    /** The canonical request as the exact bytes that were hashed. */
    public canonicalRequestBytes: ArrayBuffer,
    /** The string to sign as the exact bytes that were MACed. */
    public stringToSignBytes: ArrayBuffer,
    /** Hex signature. */
    public signature: string,
    /** Authorization header value. */
    public authorization: string,
  ) {}

  /** The canonical request (decoded on demand). */
  get canonicalRequest(): string {
    return String.UTF8.decode(this.canonicalRequestBytes);
  }

  /** The string to sign (decoded on demand). */
  get stringToSign(): string {
    return String.UTF8.decode(this.stringToSignBytes);
  }

  /** Headers to set on the request: x-amz-date, x-amz-security-token (if any), authorization. */
  headersToAdd(): Array<Header> {
    let out = new Array<Header>();
    out.push(new Header("x-amz-date", this.amzDate));
    let token = this.sessionToken;
    if (token !== null) out.push(new Header("x-amz-security-token", token));
    out.push(new Header("authorization", this.authorization));
    return out;
  }
}

// Scratch reused by every signing (single-threaded, never re-entered).
const SCRATCH_KEEP = 16384;
const requestBuffer = new ByteBuffer(2048);
const signedBuffer = new ByteBuffer(256);
const stsBuffer = new ByteBuffer(256);
// Hashing context and digest scratch for the canonical request and the signature (no allocation).
// @ts-ignore: decorator
@lazy const HASH_CTX: usize = memory.data(CTX_SIZE, 16);
// @ts-ignore: decorator
@lazy const DIGEST: usize = memory.data(32, 16);
// The canonical request's first 64 bytes (method, path, query, first headers) are usually the same from
// one request to the next on a route: the chaining state after that block is kept and reused when the
// next canonical request starts with the same bytes, saving one of its ~5 compressions.
// @ts-ignore: decorator
@lazy const FIRST_BLOCK: usize = memory.data(64, 16);
// @ts-ignore: decorator
@lazy const FIRST_STATE: usize = memory.data(32, 16);
let firstBlockValid = false;

/** SHA-256 of `len` bytes at `ptr` into DIGEST, reusing the cached first-block state when it applies. */
function hashCanonicalRequest(ptr: usize, len: usize): void {
  if (len > 64) {
    if (firstBlockValid && memory.compare(FIRST_BLOCK, ptr, 64) == 0) {
      ctxResume(HASH_CTX, FIRST_STATE, 64);
    } else {
      ctxInit(HASH_CTX);
      ctxUpdate(HASH_CTX, ptr, 64); // exactly one block: compressed now, state at HASH_CTX
      memory.copy(FIRST_STATE, HASH_CTX, 32);
      memory.copy(FIRST_BLOCK, ptr, 64);
      firstBlockValid = true;
    }
    ctxUpdate(HASH_CTX, ptr + 64, len - 64);
  } else {
    ctxInit(HASH_CTX);
    ctxUpdate(HASH_CTX, ptr, len);
  }
  ctxFinal(HASH_CTX, DIGEST);
}
const toSign = new Array<Header>(16);
const hostHeader = new Header("host", "");
const dateHeader = new Header("x-amz-date", "");
const tokenHeader = new Header("x-amz-security-token", "");

/**
 * Signs exactly the headers given (the caller includes x-amz-date, and x-amz-security-token /
 * x-amz-content-sha256 when it wants them signed) with a precomputed payload hash and X-Amz-Date.
 * This is the form the AWS test suites exercise; `normalizePath`/`encodePath` false give S3 behaviour.
 */
export function signWithHeaders(
  method: string,
  wirePath: string,
  rawQuery: string,
  headers: Array<Header>,
  hashedPayload: string,
  accessKey: string,
  secret: string,
  region: string,
  service: string,
  amzDateValue: string,
  normalizePath: bool = true,
  encodePath: bool = true,
): SigningResult {
  requestBuffer.reset();
  signedBuffer.reset();
  appendCanonicalRequest(requestBuffer, signedBuffer, method, wirePath, rawQuery, headers, hashedPayload, normalizePath, encodePath);
  hashCanonicalRequest(requestBuffer.at(0), <usize>requestBuffer.length);

  let key = cachedSigningKeyForAmzDate(secret, amzDateValue, region, service);
  stsBuffer.reset();
  appendStringToSignDigest(stsBuffer, amzDateValue, key.scope, DIGEST, 32);
  let sts = stsBuffer.slice(0, stsBuffer.length);
  key.macInto(changetype<usize>(sts), <usize>sts.byteLength, DIGEST);
  let sig = hexFromPtr(DIGEST, 32);
  let signedList = signedBuffer.toString();
  let result = new SigningResult(
    amzDateValue,
    key.scope,
    signedList,
    requestBuffer.slice(0, requestBuffer.length),
    sts,
    sig,
    authorizationHeader(accessKey, key.scope, signedList, sig),
  );
  // Scratch stays allocated between requests; don't let one huge request pin megabytes.
  requestBuffer.release(SCRATCH_KEEP);
  signedBuffer.release(SCRATCH_KEEP);
  return result;
}

// @ts-ignore: decorator
@inline function lowerAscii(c: u32): u32 {
  return c - 65 < 26 ? c | 32 : c;
}

/** Case-insensitive equality with a lower-case ASCII literal. */
function nameIs(name: string, lower: string): bool {
  let n = lower.length;
  if (name.length != n) return false;
  let a = changetype<usize>(name);
  let b = changetype<usize>(lower);
  for (let i = 0; i < n; i++) {
    if (lowerAscii(<u32>load<u16>(a + (<usize>i << 1))) != <u32>load<u16>(b + (<usize>i << 1))) return false;
  }
  return true;
}

/**
 * Signs an outgoing request for the filter. `headers` are the headers that will be sent; the ones the
 * signed-headers policy selects are signed (isSignedHeader), plus the x-amz-date and (when
 * `sessionToken` is non-empty) x-amz-security-token this adds. Host: `:authority` (what Envoy sends as
 * Host) wins over a `host` header when both are present. Existing x-amz-date / x-amz-security-token /
 * authorization headers in `headers` are ignored: the caller must replace them with `headersToAdd()`.
 * The payload hash is over the exact `body` bytes.
 */
export function signRequest(
  method: string,
  wirePath: string,
  rawQuery: string,
  headers: Array<Header>,
  body: ArrayBuffer,
  accessKey: string,
  secret: string,
  sessionToken: string | null,
  region: string,
  service: string,
  epochMillis: i64,
): SigningResult {
  let date = amzDate(epochMillis);
  toSign.length = 0;
  let authority: string | null = null;
  for (let i = 0, n = headers.length; i < n; i++) {
    let h = unchecked(headers[i]);
    let name = h.name;
    if (name.length > 0 && load<u16>(changetype<usize>(name)) == 58) {
      if (nameIs(name, ":authority")) authority = h.value;
      continue;
    }
    if (nameIs(name, "x-amz-date") || nameIs(name, "x-amz-security-token")) continue;
    if (isSignedHeader(name)) toSign.push(h);
  }
  if (authority !== null) {
    // Drop any host header, then sign the authority as host.
    for (let i = toSign.length - 1; i >= 0; i--) {
      if (nameIs(unchecked(toSign[i]).name, "host")) toSign.splice(i, 1);
    }
    hostHeader.value = authority;
    toSign.push(hostHeader);
  }
  dateHeader.value = date;
  toSign.push(dateHeader);
  let token: string | null = null;
  if (sessionToken !== null && sessionToken.length > 0) {
    token = sessionToken;
    tokenHeader.value = sessionToken;
    toSign.push(tokenHeader);
  }
  let result = signWithHeaders(method, wirePath, rawQuery, toSign, payloadHash(body), accessKey, secret, region, service, date);
  result.sessionToken = token;
  toSign.length = 0; // don't keep the caller's headers alive
  return result;
}
