// SigV4 (AWS4-HMAC-SHA256, Authorization-header flavour) end to end. The canonical request is built
// once, as bytes, in a reused buffer and hashed in place; the signing key comes from a per-day cache
// with a precomputed HMAC key schedule. Intermediate results stay available for tests and logging.
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { sha256HexWithCachedPrefix } from "../crypto/prefix-hash";
import { toHex } from "../kernel/hex";
import { equalsAsciiLower } from "../kernel/ascii";
import { ByteBuffer } from "../kernel/byte-buffer";
import { amzDate } from "./amz-date";
import { appendCanonicalRequest, CanonicalInput, payloadHash } from "./canonical-request";
import { Credentials, SigningScope } from "./credentials";
import { cachedSigningKeyForAmzDate } from "./signing-key";
import { appendStringToSign, authorizationHeader } from "./signature";
import { isSignedHeader } from "./signed-headers-policy";

/** Everything one signing produced; `headersToAdd()` is what goes on the request. */
export class SigningResult {
  /** Set by signRequest when the credentials carry a session token (it is then signed and must be sent). */
  sessionToken: string = "";

  constructor(
    /** X-Amz-Date value, "YYYYMMDDTHHMMSSZ". */
    public amzDate: string,
    /** Credential scope, "YYYYMMDD/region/service/aws4_request". */
    public credentialScope: string,
    /** SignedHeaders, "host;x-amz-date". */
    public signedHeaders: string,
    /** The canonical request as the exact bytes that were hashed. */
    public canonicalRequestBytes: ArrayBuffer,
    /** Hex SHA-256 of the canonical request (AWS quotes it in signature errors). */
    public canonicalRequestHash: string,
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
    const out = new Array<Header>();
    out.push(new Header("x-amz-date", this.amzDate));
    if (this.sessionToken.length > 0) out.push(new Header("x-amz-security-token", this.sessionToken));
    out.push(new Header("authorization", this.authorization));
    return out;
  }
}

// Scratch reused by every signing (single-threaded, never re-entered).
const SCRATCH_KEEP = 16384;
const requestBuffer = new ByteBuffer(2048);
const signedBuffer = new ByteBuffer(256);
const stsBuffer = new ByteBuffer(256);

/**
 * Signs exactly the headers of `input` (the caller includes x-amz-date, and x-amz-security-token /
 * x-amz-content-sha256 when it wants them signed) at `amzDateValue`. This is the form the AWS test suites
 * exercise; `input.normalizePath`/`encodePath` false give S3 behaviour.
 */
export function signCanonical(input: CanonicalInput, credentials: Credentials, scope: SigningScope,
  amzDateValue: string): SigningResult {
  requestBuffer.reset();
  signedBuffer.reset();
  appendCanonicalRequest(requestBuffer, signedBuffer, input);
  const hashedRequest = sha256HexWithCachedPrefix(requestBuffer);
  const key = cachedSigningKeyForAmzDate(credentials.secretAccessKey, amzDateValue, scope.region, scope.service);
  stsBuffer.reset();
  appendStringToSign(stsBuffer, amzDateValue, key.scope, hashedRequest);
  const stringToSign = stsBuffer.slice(0, stsBuffer.length);
  const signature = toHex(key.mac(stringToSign));
  const signedList = signedBuffer.toString();
  const result = new SigningResult(amzDateValue, key.scope, signedList, requestBuffer.slice(0, requestBuffer.length),
    hashedRequest, stringToSign, signature, authorizationHeader(credentials.accessKeyId, key.scope, signedList, signature));
  // Scratch stays allocated between requests; don't let one huge request pin megabytes.
  requestBuffer.release(SCRATCH_KEEP);
  signedBuffer.release(SCRATCH_KEEP);
  return result;
}

const toSign = new Array<Header>(16);
const input = new CanonicalInput();
const hostHeader = new Header("host", "");
const dateHeader = new Header("x-amz-date", "");
const tokenHeader = new Header("x-amz-security-token", "");

/**
 * Signs an outgoing request for the filter at `epochMillis`. Of its headers, the ones the signed-headers
 * policy selects are signed (isSignedHeader), plus host (the request's authority, which wins over any
 * `host` header), the x-amz-date and — for temporary credentials — x-amz-security-token this adds.
 * Existing x-amz-date / x-amz-security-token / authorization headers are ignored: the caller must replace
 * them with `headersToAdd()`. The payload hash is over the exact body bytes: `request.payloadHash` when the
 * caller already has it, else computed here.
 */
export function signRequest(request: OutgoingRequest, credentials: Credentials, scope: SigningScope,
  epochMillis: i64): SigningResult {
  const date = amzDate(epochMillis);
  const hasAuthority = request.authority.length > 0;
  toSign.length = 0;
  const headers = request.headers;
  for (let i = 0, n = headers.length; i < n; i++) {
    const header = unchecked(headers[i]);
    const name = header.name;
    if (equalsAsciiLower(name, "x-amz-date") || equalsAsciiLower(name, "x-amz-security-token")) continue;
    if (hasAuthority && equalsAsciiLower(name, "host")) continue;
    if (isSignedHeader(name)) toSign.push(header);
  }
  if (hasAuthority) {
    hostHeader.value = request.authority;
    toSign.push(hostHeader);
  }
  dateHeader.value = date;
  toSign.push(dateHeader);
  const token = credentials.sessionToken;
  if (token.length > 0) {
    tokenHeader.value = token;
    toSign.push(tokenHeader);
  }
  input.method = request.method;
  input.wirePath = request.path;
  input.rawQuery = request.query;
  input.headers = toSign;
  input.payloadHash = request.payloadHash.length > 0 ? request.payloadHash : payloadHash(request.body);
  const result = signCanonical(input, credentials, scope, date);
  result.sessionToken = token;
  toSign.length = 0; // don't keep the caller's headers alive
  return result;
}
