// SigV4 request date: the X-Amz-Date value, ISO 8601 basic format in UTC, "YYYYMMDDTHHMMSSZ".
// Computed arithmetically from epoch milliseconds (proleptic Gregorian calendar, so leap years and
// century rules come out right for any date) — no Date class, no host clock access here.
import { FixedString } from "../kernel/fixed-string";

// Representable range of a 4-digit year: 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
const MIN_MILLIS: i64 = -62167219200000;
const MAX_MILLIS: i64 = 253402300799999;

// @ts-ignore: decorator
@inline function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/**
 * SigV4 step: the request timestamp (X-Amz-Date) for `epochMillis` milliseconds since 1970-01-01T00:00:00Z,
 * e.g. 1440938160000 -> "20150830T123600Z". Milliseconds are truncated toward the earlier second.
 * Times outside years 0000..9999 are clamped to that range (defined result, never a trap).
 */
export function amzDate(epochMillis: i64): string {
  let ms = epochMillis;
  if (ms < MIN_MILLIS) ms = MIN_MILLIS;
  if (ms > MAX_MILLIS) ms = MAX_MILLIS;
  const secs = floorDiv(ms, 1000);
  const days = floorDiv(secs, 86400);
  const sod = <i32>(secs - days * 86400);
  // Civil date from day count (H. Hinnant's days_from_civil inverse), eras of 400 years.
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = <i32>(z - era * 146097); // [0, 146096]
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], March-based
  const mp = (5 * doy + 2) / 153; // [0, 11]
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = <i32>(<i64>yoe + era * 400) + (month <= 2 ? 1 : 0);

  return new FixedString(16).digits2(year / 100).digits2(year % 100).digits2(month).digits2(day)
    .unit(84 /* T */).digits2(sod / 3600).digits2((sod / 60) % 60).digits2(sod % 60).unit(90 /* Z */).done();
}
