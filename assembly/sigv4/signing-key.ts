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
  const kSecret = String.UTF8.encode("AWS4" + secret);
  const kDate = hmacSha256Utf8(kSecret, date);
  const kRegion = hmacSha256Utf8(kDate, region);
  const kService = hmacSha256Utf8(kRegion, service);
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
}

// A handful of entries covers a filter that signs for a few regions/services, and the two keys alive
// around midnight UTC. Replacement is round-robin.
const CACHE_SIZE = 4;
const cache = new StaticArray<SigningKey | null>(CACHE_SIZE);
let nextSlot: i32 = 0;

/**
 * The signing key for (secret, date, region, service), derived on first use and then served from
 * the cache; a new date (or secret, region, service) derives a new key.
 */
export function cachedSigningKey(secret: string, date: string, region: string, service: string): SigningKey {
  for (let i = 0; i < CACHE_SIZE; i++) {
    const e = unchecked(cache[i]);
    if (e !== null && e.date == date && e.region == region && e.service == service && e.secret == secret) return e;
  }
  const key = deriveSigningKey(secret, date, region, service);
  const entry = new SigningKey(secret, date, region, service, key, credentialScope(date, region, service));
  unchecked((cache[nextSlot] = entry));
  nextSlot = (nextSlot + 1) % CACHE_SIZE;
  return entry;
}

/**
 * cachedSigningKey for the date part of an X-Amz-Date value ("YYYYMMDDTHHMMSSZ"), without allocating
 * the "YYYYMMDD" string on a cache hit.
 */
export function cachedSigningKeyForAmzDate(secret: string, amzDateValue: string, region: string, service: string): SigningKey {
  for (let i = 0; i < CACHE_SIZE; i++) {
    const e = unchecked(cache[i]);
    if (e !== null && e.date.length == 8 && amzDateValue.startsWith(e.date) && e.region == region && e.service == service && e.secret == secret) return e;
  }
  return cachedSigningKey(secret, amzDateValue.substring(0, 8), region, service);
}

/** SigV4 step: derive the signing key, through the cache (same bytes as deriveSigningKey). */
export function signingKey(secret: string, date: string, region: string, service: string): ArrayBuffer {
  return cachedSigningKey(secret, date, region, service).key;
}
