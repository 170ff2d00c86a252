// Unit-test entry for assembly/sigv4: thin exports over the SigV4 steps. Header lists cross the
// boundary as one string of "name:value\n" lines (split at the first ':' after the name, so
// ":authority:host" is the pseudo-header :authority); values cannot contain '\n' here.
import { Header } from "../http/header";
import * as uri from "../sigv4/canonical-uri";
import * as query from "../sigv4/canonical-query";
import * as hdr from "../sigv4/canonical-headers";
import * as creq from "../sigv4/canonical-request";
import * as key from "../sigv4/signing-key";
import * as sig from "../sigv4/signature";
import * as date from "../sigv4/amz-date";
import * as policy from "../sigv4/signed-headers-policy";
import * as signer from "../sigv4/signer";
import { uriEncode as encode } from "../sigv4/encoding";
import { toHex } from "../crypto/hex";

/** Parses "name:value\n" lines into headers (empty lines skipped; a line without ':' is a name with ""). */
function parseHeaders(lines: string): Array<Header> {
  let out = new Array<Header>();
  let n = lines.length;
  let i = 0;
  while (i < n) {
    let end = lines.indexOf("\n", i);
    if (end < 0) end = n;
    if (end > i) {
      let colon = lines.indexOf(":", lines.charCodeAt(i) == 58 ? i + 1 : i);
      if (colon < 0 || colon > end) out.push(new Header(lines.substring(i, end), ""));
      else out.push(new Header(lines.substring(i, colon), lines.substring(colon + 1, end)));
    }
    i = end + 1;
  }
  return out;
}

function formatHeaders(headers: Array<Header>): string {
  let s = "";
  for (let i = 0; i < headers.length; i++) s += headers[i].name + ":" + headers[i].value + "\n";
  return s;
}

function hexToBytes(hex: string): ArrayBuffer {
  let n = hex.length >> 1;
  let out = new ArrayBuffer(n);
  for (let i = 0; i < n; i++) store<u8>(changetype<usize>(out) + <usize>i, <u8>I32.parseInt(hex.substr(i << 1, 2), 16));
  return out;
}

export function uriEncode(s: string, keepSlash: bool): string { return encode(s, keepSlash); }
export function canonicalUri(path: string, normalize: bool, encodePath: bool): string { return uri.canonicalUri(path, normalize, encodePath); }
export function canonicalQuery(raw: string): string { return query.canonicalQuery(raw); }
export function canonicalHeaders(lines: string): string { return hdr.canonicalHeaders(parseHeaders(lines)); }
export function signedHeaders(lines: string): string { return hdr.signedHeaders(parseHeaders(lines)); }
export function canonicalHeaderValue(value: string): string { return hdr.canonicalHeaderValue(value); }
export function payloadHash(body: ArrayBuffer): string { return creq.payloadHash(body); }
export function canonicalRequest(method: string, path: string, raw: string, lines: string, hash: string, normalize: bool, encodePath: bool): string {
  return creq.canonicalRequest(method, path, raw, parseHeaders(lines), hash, normalize, encodePath);
}
export function canonicalRequestFromParts(method: string, u: string, q: string, h: string, s: string, hash: string): string {
  return creq.canonicalRequestFromParts(method, u, q, h, s, hash);
}
export function credentialScope(d: string, region: string, service: string): string { return key.credentialScope(d, region, service); }
export function deriveSigningKeyHex(secret: string, d: string, region: string, service: string): string {
  return toHex(key.deriveSigningKey(secret, d, region, service));
}
export function signingKeyHex(secret: string, d: string, region: string, service: string): string {
  return toHex(key.signingKey(secret, d, region, service));
}
export function signingKeyDerivations(): i32 { return key.signingKeyDerivations(); }
export function clearSigningKeyCache(): void { key.clearSigningKeyCache(); }
export function hashedCanonicalRequest(c: string): string { return sig.hashedCanonicalRequest(c); }
export function stringToSign(d: string, scope: string, hashed: string): string { return sig.stringToSign(d, scope, hashed); }
export function signature(keyHex: string, sts: string): string { return sig.signature(hexToBytes(keyHex), sts); }
export function authorizationHeader(ak: string, scope: string, signedList: string, s: string): string {
  return sig.authorizationHeader(ak, scope, signedList, s);
}
export function amzDate(epochMillis: i64): string { return date.amzDate(epochMillis); }
export function isSignedHeader(name: string): bool { return policy.isSignedHeader(name); }

// The last signing result, read back piecewise by the last* exports.
let last: signer.SigningResult | null = null;

/** signWithHeaders over the given header lines; returns the Authorization value. */
export function signWithHeaders(
  method: string, path: string, raw: string, lines: string, hash: string, ak: string, secret: string,
  region: string, service: string, amz: string, normalize: bool, encodePath: bool,
): string {
  let r = signer.signWithHeaders(method, path, raw, parseHeaders(lines), hash, ak, secret, region, service, amz, normalize, encodePath);
  last = r;
  return r.authorization;
}

/** signRequest (the filter's policy); `token` "" means none. Returns the headers to add as lines. */
export function signRequest(
  method: string, path: string, raw: string, lines: string, body: ArrayBuffer, ak: string, secret: string,
  token: string, region: string, service: string, epochMillis: i64,
): string {
  let r = signer.signRequest(method, path, raw, parseHeaders(lines), body, ak, secret, token.length > 0 ? token : null, region, service, epochMillis);
  last = r;
  return formatHeaders(r.headersToAdd());
}

export function lastCanonicalRequest(): string { let r = last; return r === null ? "" : r.canonicalRequest; }
export function lastStringToSign(): string { let r = last; return r === null ? "" : r.stringToSign; }
export function lastSignature(): string { let r = last; return r === null ? "" : r.signature; }
export function lastSignedHeaders(): string { let r = last; return r === null ? "" : r.signedHeaders; }
export function lastCredentialScope(): string { let r = last; return r === null ? "" : r.credentialScope; }

/** Measurement helper: signs a typical Lambda invoke request `n` times inside wasm; returns the last signature. */
export function benchSignRequest(n: i32, bodySize: i32): string {
  let headers = new Array<Header>();
  headers.push(new Header(":authority", "lambda.us-east-1.amazonaws.com"));
  headers.push(new Header(":method", "POST"));
  headers.push(new Header(":path", "/2015-03-31/functions/my-function/invocations"));
  headers.push(new Header("content-type", "application/json"));
  headers.push(new Header("user-agent", "curl/8.5.0"));
  headers.push(new Header("x-forwarded-for", "10.0.0.1"));
  headers.push(new Header("x-amz-invocation-type", "RequestResponse"));
  headers.push(new Header("accept", "*/*"));
  let body = new ArrayBuffer(bodySize);
  let s = "";
  for (let i = 0; i < n; i++) {
    let r = signer.signRequest("POST", "/2015-03-31/functions/my-function/invocations", "qualifier=prod&x=a%20b", headers, body,
      "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-value", "us-east-1", "lambda", 1440938160000 + <i64>i * 1000);
    s = r.signature;
  }
  return s;
}
