// SigV4 steps "credential scope" and "derive the signing key": kSigning = HMAC(HMAC(HMAC(HMAC(
// "AWS4" + secret, date), region), service), "aws4_request"). The key only changes with the day, so
// it is derived once per (secret, date, region, service) and kept in a small cache.
import { hmacSha256Utf8, HmacSha256 } from "../crypto/hmac";

/** SigV4 step: credential scope, "YYYYMMDD/region/service/aws4_request". */
export function credentialScope(date: string, region: string, service: string): string {
  return date + "/" + region + "/" + service + "/aws4_request";
}

/** SigV4 step: derive the signing key (32 bytes), with no caching. `date` is "YYYYMMDD". */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): ArrayBuffer {
  let kSecret = String.UTF8.encode("AWS4" + secret);
  let kDate = hmacSha256Utf8(kSecret, date);
  let kRegion = hmacSha256Utf8(kDate, region);
  let kService = hmacSha256Utf8(kRegion, service);
  return hmacSha256Utf8(kService, "aws4_request");
}

/** One cached signing key, with its credential scope and a precomputed HMAC key schedule. */
export class SigningKey {
  constructor(
    public secret: string,
    public date: string,
    public region: string,
    public service: string,
    public key: ArrayBuffer,
    public scope: string,
  ) {
    this.hmac = new HmacSha256(key);
  }
  hmac: HmacSha256;

  /** HMAC-SHA256 of `message` under this signing key. */
  mac(message: ArrayBuffer): ArrayBuffer {
    return this.hmac.mac(message);
  }

  /** HMAC-SHA256 of `len` bytes at `ptr`, written to the 32 bytes at `out` (no allocation). */
  macInto(ptr: usize, len: usize, out: usize): void {
    this.hmac.macInto(ptr, len, out);
  }
}

// A handful of entries covers a filter that signs for a few regions/services, and the two keys alive
// around midnight UTC. Replacement is round-robin.
const CACHE_SIZE = 4;
const cache = new StaticArray<SigningKey | null>(CACHE_SIZE);
let nextSlot: i32 = 0;
let derivations: i32 = 0;

/**
 * The signing key for (secret, date, region, service), derived on first use and then served from
 * the cache; a new date (or secret, region, service) derives a new key.
 */
export function cachedSigningKey(secret: string, date: string, region: string, service: string): SigningKey {
  for (let i = 0; i < CACHE_SIZE; i++) {
    let e = unchecked(cache[i]);
    if (e !== null && e.date == date && e.region == region && e.service == service && e.secret == secret) return e;
  }
  let key = deriveSigningKey(secret, date, region, service);
  derivations++;
  let entry = new SigningKey(secret, date, region, service, key, credentialScope(date, region, service));
  unchecked((cache[nextSlot] = entry));
  nextSlot = (nextSlot + 1) % CACHE_SIZE;
  return entry;
}

/** True when `amzDateValue` starts with the 8 characters of `date` (the credential-scope date). */
function sameDay(date: string, amzDateValue: string): bool {
  return date.length == 8 && amzDateValue.length >= 8 && memory.compare(changetype<usize>(date), changetype<usize>(amzDateValue), 16) == 0;
}

/**
 * cachedSigningKey for the date part of an X-Amz-Date value ("YYYYMMDDTHHMMSSZ"), without allocating
 * the "YYYYMMDD" string on a cache hit.
 */
export function cachedSigningKeyForAmzDate(secret: string, amzDateValue: string, region: string, service: string): SigningKey {
  for (let i = 0; i < CACHE_SIZE; i++) {
    let e = unchecked(cache[i]);
    if (e !== null && sameDay(e.date, amzDateValue) && e.region == region && e.service == service && e.secret == secret) return e;
  }
  return cachedSigningKey(secret, amzDateValue.substring(0, 8), region, service);
}

/** SigV4 step: derive the signing key, through the cache (same bytes as deriveSigningKey). */
export function signingKey(secret: string, date: string, region: string, service: string): ArrayBuffer {
  return cachedSigningKey(secret, date, region, service).key;
}

/** How many keys have been derived for the cache so far (tests use it to observe cache hits). */
export function signingKeyDerivations(): i32 {
  return derivations;
}

/** Empties the signing-key cache (e.g. when credentials are rotated). */
export function clearSigningKeyCache(): void {
  for (let i = 0; i < CACHE_SIZE; i++) unchecked((cache[i] = null));
  nextSlot = 0;
}

