// Unit-test entry for assembly/sigv4: thin exports over the SigV4 steps. Header lists cross the
// boundary as one string of "name:value\n" lines (split at the first ':' after the name, so
// ":authority:host" is the pseudo-header :authority); values cannot contain '\n' here.
import { Header } from "../http/header";
import { OutgoingRequest } from "../http/outgoing-request";
import { ByteBuffer } from "../kernel/byte-buffer";
import { Credentials, SigningScope } from "../sigv4/credentials";
import * as uri from "../sigv4/canonical-uri";
import * as query from "../sigv4/canonical-query";
import * as hdr from "../sigv4/canonical-headers";
import * as creq from "../sigv4/canonical-request";
import * as key from "../sigv4/signing-key";
import * as sig from "../sigv4/signature";
import * as date from "../sigv4/amz-date";
import * as policy from "../sigv4/signed-headers-policy";
import * as signer from "../sigv4/signer";
import { uriEncode as encode } from "../kernel/percent";
import { toHex } from "../kernel/hex";

/** Parses "name:value\n" lines into headers (empty lines skipped; a line without ':' is a name with ""). */
function parseHeaders(lines: string): Array<Header> {
  const out = new Array<Header>();
  const n = lines.length;
  let i = 0;
  while (i < n) {
    let end = lines.indexOf("\n", i);
    if (end < 0) end = n;
    if (end > i) {
      const colon = lines.indexOf(":", lines.charCodeAt(i) == 58 ? i + 1 : i);
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
  const n = hex.length >> 1;
  const out = new ArrayBuffer(n);
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
function canonicalInput(method: string, path: string, raw: string, lines: string, hash: string, normalize: bool,
  encodePath: bool): creq.CanonicalInput {
  const input = new creq.CanonicalInput();
  input.method = method;
  input.wirePath = path;
  input.rawQuery = raw;
  input.headers = parseHeaders(lines);
  input.payloadHash = hash;
  input.normalizePath = normalize;
  input.encodePath = encodePath;
  return input;
}
export function canonicalRequest(method: string, path: string, raw: string, lines: string, hash: string, normalize: bool, encodePath: bool): string {
  return creq.canonicalRequest(canonicalInput(method, path, raw, lines, hash, normalize, encodePath));
}
export function credentialScope(d: string, region: string, service: string): string { return key.credentialScope(d, region, service); }
export function deriveSigningKeyHex(secret: string, d: string, region: string, service: string): string {
  return toHex(key.deriveSigningKey(secret, d, region, service));
}
export function signingKeyHex(secret: string, d: string, region: string, service: string): string {
  return toHex(key.signingKey(secret, d, region, service));
}
/** Identity of the cached key entry: equal across calls exactly when the cache served the same entry. */
export function signingKeyId(secret: string, d: string, region: string, service: string): usize {
  return changetype<usize>(key.cachedSigningKey(secret, d, region, service));
}
export function hashedCanonicalRequest(c: string): string { return sig.hashedCanonicalRequest(c); }
export function stringToSign(d: string, scope: string, hashed: string): string {
  const out = new ByteBuffer(128);
  sig.appendStringToSign(out, d, scope, hashed);
  return out.toString();
}
export function signature(keyHex: string, sts: string): string { return sig.signature(hexToBytes(keyHex), sts); }
export function authorizationHeader(ak: string, scope: string, signedList: string, s: string): string {
  return sig.authorizationHeader(ak, scope, signedList, s);
}
export function amzDate(epochMillis: i64): string { return date.amzDate(epochMillis); }
export function isSignedHeader(name: string): bool { return policy.isSignedHeader(name); }

// The last signing result, read back piecewise by the last* exports.
let last: signer.SigningResult | null = null;

/** signCanonical over the given header lines; returns the Authorization value. */
export function signWithHeaders(
  method: string, path: string, raw: string, lines: string, hash: string, ak: string, secret: string,
  region: string, service: string, amz: string, normalize: bool, encodePath: bool,
): string {
  const r = signer.signCanonical(canonicalInput(method, path, raw, lines, hash, normalize, encodePath),
    new Credentials(ak, secret, ""), new SigningScope(region, service), amz);
  last = r;
  return r.authorization;
}

/**
 * signRequest (the filter's policy) of a request whose header lines may hold ":authority:<host>";
 * `token` "" means none. Returns the headers to add as lines.
 */
export function signRequest(
  method: string, path: string, raw: string, lines: string, body: ArrayBuffer, ak: string, secret: string,
  token: string, region: string, service: string, epochMillis: i64,
): string {
  const request = new OutgoingRequest();
  request.method = method;
  request.path = path;
  request.query = raw;
  const headers = parseHeaders(lines);
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].name == ":authority") request.authority = headers[i].value;
    else if (!headers[i].name.startsWith(":")) request.headers.push(headers[i]);
  }
  request.body = body;
  const r = signer.signRequest(request, new Credentials(ak, secret, token), new SigningScope(region, service), epochMillis);
  last = r;
  return formatHeaders(r.headersToAdd());
}

export function lastCanonicalRequest(): string { const r = last; return r === null ? "" : r.canonicalRequest; }
export function lastStringToSign(): string { const r = last; return r === null ? "" : r.stringToSign; }
export function lastSignature(): string { const r = last; return r === null ? "" : r.signature; }
export function lastSignedHeaders(): string { const r = last; return r === null ? "" : r.signedHeaders; }
export function lastCredentialScope(): string { const r = last; return r === null ? "" : r.credentialScope; }
/** Identity of the last signature's credential scope string, which is its cached signing key's. */
export function lastScopeId(): usize { const r = last; return r === null ? 0 : changetype<usize>(r.credentialScope); }
