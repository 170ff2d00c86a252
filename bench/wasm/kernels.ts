// Benchmark kernels over the filter's own signer and SHA-256 (assembly/sigv4, assembly/crypto), compiled
// by bench/run.ts with the release target's flags so the code measured is the code the filter runs.
// Every kernel loops inside wasm, so one JS→wasm call is amortized over `n` operations.
import { Header } from "../../assembly/http/header";
import { OutgoingRequest } from "../../assembly/http/outgoing-request";
import { signCanonical, signRequest } from "../../assembly/sigv4/signer";
import { Credentials, SigningScope } from "../../assembly/sigv4/credentials";
import { CTX_SIZE, ctxFinal, ctxInit, ctxUpdate } from "../../assembly/crypto/sha256";
import { CanonicalInput, EMPTY_PAYLOAD_HASH } from "../../assembly/sigv4/canonical-request";

const HOST = "x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
const PATH = "/default/test-apisix";
const QUERY = "name=APISIX";
const AK = "AKIDEXAMPLE";
const SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const T0: i64 = 1440938160000; // 2015-08-30T12:36:00Z; +1 s per signature stays within the day

// The callout as the URL target builds it for the seed request: the client's forwarded headers (host
// is replaced by the authority).
const callout = new OutgoingRequest();
callout.method = "GET";
callout.path = PATH;
callout.query = QUERY;
callout.authority = HOST;
callout.headers = [
  new Header("user-agent", "curl/8.5.0"),
  new Header("accept", "*/*"),
  new Header("x-forwarded-for", "203.0.113.7"),
  new Header("x-request-id", "0f3c1a52-6d0e-4b7e-9c77-3f1f5e2a8b41"),
  new Header("content-type", "application/json"),
  new Header("x-api-key", "seed-api-key-0123456789"),
  new Header("accept-encoding", "gzip, deflate"),
];
// The headers aws4 signs for the same request (everything but user-agent), for a like-for-like run.
const allSigned: Array<Header> = [
  new Header("host", HOST),
  new Header("accept", "*/*"),
  new Header("x-forwarded-for", "203.0.113.7"),
  new Header("x-request-id", "0f3c1a52-6d0e-4b7e-9c77-3f1f5e2a8b41"),
  new Header("content-type", "application/json"),
  new Header("x-api-key", "seed-api-key-0123456789"),
  new Header("accept-encoding", "gzip, deflate"),
  new Header("x-amz-date", "20150830T123600Z"),
];
const CREDENTIALS = new Credentials(AK, SK, "");
const SCOPE = new SigningScope("us-east-1", "execute-api");
const allSignedInput = new CanonicalInput();
allSignedInput.method = "GET";
allSignedInput.wirePath = PATH;
allSignedInput.rawQuery = QUERY;
allSignedInput.headers = allSigned;
allSignedInput.payloadHash = EMPTY_PAYLOAD_HASH;
let lastSignature = "";
let sink: i32 = 0;

/** signRequest (the filter's path: policy, date, canonical request, cached key, Authorization) `n` times. */
export function signLoop(n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const r = signRequest(callout, CREDENTIALS, SCOPE, T0 + <i64>i * 1000);
    const added = r.headersToAdd(); // what the filter appends to the callout
    sink += added.length;
    lastSignature = r.signature;
  }
  return sink;
}

/** signCanonical over the 8 headers aws4 signs (fixed X-Amz-Date) `n` times. */
export function signAllHeadersLoop(n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const r = signCanonical(allSignedInput, CREDENTIALS, SCOPE, "20150830T123600Z");
    lastSignature = r.signature;
    sink += r.signature.length;
  }
  return sink;
}

/** Length of the last signature's hex (sanity check that the kernel ran). */
export function lastSignatureLength(): i32 {
  return lastSignature.length;
}

// One pinned input buffer filled from JS, and the hashing context + digest.
let input: ArrayBuffer = new ArrayBuffer(0);
const ctx = memory.data(CTX_SIZE, 16);
const digestOut = memory.data(32, 16);

/** Allocates the input buffer (kept alive by a global) and returns its address for JS to fill. */
export function inputBuffer(size: i32): usize {
  input = new ArrayBuffer(size);
  return changetype<usize>(input);
}

/** SHA-256 of the whole input buffer, `n` times; returns the address of the 32-byte digest. */
export function sha256Loop(n: i32): usize {
  const p = changetype<usize>(input);
  const len = <usize>input.byteLength;
  for (let i = 0; i < n; i++) {
    ctxInit(ctx);
    ctxUpdate(ctx, p, len);
    ctxFinal(ctx, digestOut);
  }
  return digestOut;
}

/** SHA-256 of the first `len` bytes of the input buffer, `n` times (the share figures' unit of hashing). */
export function sha256PrefixLoop(n: i32, len: i32): usize {
  const p = changetype<usize>(input);
  const size = <usize>min(len, input.byteLength);
  for (let i = 0; i < n; i++) {
    ctxInit(ctx);
    ctxUpdate(ctx, p, size);
    ctxFinal(ctx, digestOut);
  }
  return digestOut;
}

/** A full collection between batches (needed if the build uses a runtime that never collects by itself). */
export function collect(): void {
  __collect();
}

// @ts-ignore: decorator
@lazy const SIG_OUT = memory.data(64, 16);

/** Copies the last signature's 64 hex characters (as ASCII bytes) to static memory; returns the address. */
export function lastSignatureAscii(): usize {
  const s = lastSignature;
  for (let i = 0; i < 64 && i < s.length; i++) store<u8>(SIG_OUT + <usize>i, <u8>s.charCodeAt(i));
  return SIG_OUT;
}
