// The two time formats AWS answers carry: RFC 3339 / ISO 8601 UTC (`Expiration` of instance, container and
// XML STS credentials) and the HTTP date of a `Date` header (RFC 9110 IMF-fixdate), both to epoch ms.

const MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

function digits(text: string, at: i32, count: i32): i32 {
  if (at + count > text.length) return -1;
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

/** Days from 1970-01-01 to year-month-day (proleptic Gregorian). */
function daysFromCivil(year: i64, month: i64, day: i64): i64 {
  const y = month <= 2 ? year - 1 : year;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = (153 * mp + 2) / 5 + day - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function epochMillis(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i64 {
  // digits() answers -1 for a field that is not digits: every field is checked at both ends.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
    || second < 0 || second > 60) return -1;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + <i64>second * 1000;
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]Z` (or `+00:00`) as epoch ms; -1 when it is not that. */
export function parseIsoUtc(text: string): i64 {
  if (text.length < 20 || text.charCodeAt(4) != 0x2d || text.charCodeAt(7) != 0x2d || text.charCodeAt(13) != 0x3a
    || text.charCodeAt(16) != 0x3a) return -1;
  const t = text.charCodeAt(10);
  if (t != 0x54 && t != 0x74 && t != 0x20) return -1;
  let end = 19;
  if (end < text.length && text.charCodeAt(end) == 0x2e) {
    end++;
    while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
  }
  const zone = text.substring(end);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return -1;
  return epochMillis(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2), digits(text, 11, 2), digits(text, 14, 2),
    digits(text, 17, 2));
}

/** `Sun, 06 Nov 1994 08:49:37 GMT` as epoch ms; -1 when it is not that. */
export function parseHttpDate(text: string): i64 {
  if (text.length != 29 || !text.endsWith(" GMT") || text.charCodeAt(3) != 0x2c) return -1;
  const month = MONTHS.indexOf(text.substring(8, 11));
  if (month < 0 || month % 3 != 0) return -1;
  return epochMillis(digits(text, 12, 4), month / 3 + 1, digits(text, 5, 2), digits(text, 17, 2), digits(text, 20, 2),
    digits(text, 23, 2));
}
