// Lenient percent-decoding, as API Gateway reads query strings: valid %XX escapes become bytes, anything
// else (a stray '%', '+') stays as written; the bytes are then read as UTF-8.
import { decodeUtf8Lossy } from "./utf8";

/** Value of one hex digit, -1 for any other character. */
export function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Decodes %XX escapes of `text`. */
export function percentDecode(text: string): string {
  if (text.indexOf("%") < 0) return text;
  const bytes = String.UTF8.encode(text);
  const data = Uint8Array.wrap(bytes);
  const out = new Uint8Array(data.length);
  let written = 0;
  for (let i = 0; i < data.length; i++) {
    const c = <i32>data[i];
    if (c == 0x25 && i + 2 < data.length) {
      const hi = hexValue(<i32>data[i + 1]);
      const lo = hexValue(<i32>data[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[written++] = <u8>((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out[written++] = <u8>c;
  }
  // Decoded bytes that are not UTF-8 read as U+FFFD (as API Gateway does), never as what an overlong form spells.
  return decodeUtf8Lossy(out.dataStart, <usize>written);
}

/** One name=value pair of a query string, decoded. */
export class QueryParam {
  constructor(public name: string, public value: string) {}
}

/** The pairs of a raw query string in order; `k` alone reads as value "". */
export function parseQuery(rawQuery: string): Array<QueryParam> {
  const params = new Array<QueryParam>();
  if (rawQuery.length == 0) return params;
  const parts = rawQuery.split("&");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length == 0) continue;
    const eq = part.indexOf("=");
    params.push(eq < 0 ? new QueryParam(percentDecode(part), "")
      : new QueryParam(percentDecode(part.substring(0, eq)), percentDecode(part.substring(eq + 1))));
  }
  return params;
}
