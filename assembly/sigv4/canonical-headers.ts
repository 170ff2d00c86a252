// SigV4 steps "CanonicalHeaders" and "SignedHeaders": lower-cased names, sorted; values trimmed with
// inner whitespace runs collapsed to one space; a name that occurs more than once gets its values
// joined with ',' in the order they were given. Every header passed in is signed: choosing which
// headers to sign is the caller's business (see signed-headers-policy.ts for the filter's rule).
import { Header } from "../http/header";
import { compareAsciiCaseless } from "../kernel/ascii";
import { ByteBuffer } from "../kernel/byte-buffer";

// Scratch reused across calls (single-threaded): the list being sorted and the sort order.
let sorting: Array<Header> | null = null;
const order = new Array<i32>(16);

/** Space, tab, CR and LF: trimmed from values, and runs of them inside a value become one space. */
// @ts-ignore: decorator
@inline export function isHeaderSpace(c: u32): bool {
  return c == 32 || c == 9 || c == 13 || c == 10;
}

/** Stable order: by lower-cased name, then by position in the list. */
function compareIndices(a: i32, b: i32): i32 {
  const list = changetype<Array<Header>>(sorting);
  const cmp = compareAsciiCaseless(unchecked(list[a]).name, unchecked(list[b]).name);
  return cmp != 0 ? cmp : a - b;
}

/**
 * Appends the canonical form of one header value ("Trimall"): leading and trailing whitespace removed,
 * each inner run of spaces/tabs/CR/LF (e.g. an obs-fold line continuation) replaced by one space.
 * Other characters are kept (as UTF-8), including quotes: "a   b" stays quoted, as "a b".
 */
export function appendCanonicalHeaderValue(out: ByteBuffer, value: string): void {
  let start = 0;
  let end = value.length;
  while (start < end && isHeaderSpace(<u32>value.charCodeAt(start))) start++;
  while (end > start && isHeaderSpace(<u32>value.charCodeAt(end - 1))) end--;
  let i = start;
  while (i < end) {
    // Copy a run of non-space units as one range, then collapse the whitespace run that follows.
    let j = i;
    while (j < end && !isHeaderSpace(<u32>value.charCodeAt(j))) j++;
    out.writeStringRange(value, i, j);
    if (j >= end) break;
    out.writeByte(32);
    while (j < end && isHeaderSpace(<u32>value.charCodeAt(j))) j++;
    i = j;
  }
}

/**
 * Appends the CanonicalHeaders block of `headers` to `out` ("name:value\n" per distinct name, sorted)
 * and the SignedHeaders list to `signed` ("a;b;c"). All headers given are included.
 */
export function appendCanonicalHeaders(out: ByteBuffer, signed: ByteBuffer, headers: Array<Header>): void {
  const n = headers.length;
  if (n == 0) return;
  order.length = n;
  for (let k = 0; k < n; k++) unchecked((order[k] = k));
  if (n > 1) {
    sorting = headers;
    order.sort(compareIndices);
    sorting = null;
  }
  let previous = "";
  for (let k = 0; k < n; k++) {
    const h = unchecked(headers[unchecked(order[k])]);
    const name = h.name;
    if (k > 0 && compareAsciiCaseless(previous, name) == 0) {
      out.writeByte(44); // ',' joins repeated names
    } else {
      if (k > 0) {
        out.writeByte(10);
        signed.writeByte(59); // ';'
      }
      const start = out.length;
      out.writeLowerAscii(name);
      signed.writeFrom(out, start, out.length);
      out.writeByte(58); // ':'
      previous = name;
    }
    appendCanonicalHeaderValue(out, h.value);
  }
  out.writeByte(10);
}

/** SigV4 step: CanonicalHeaders — "name:value\n" for each distinct lower-cased name, sorted by name. */
export function canonicalHeaders(headers: Array<Header>): string {
  const out = new ByteBuffer(512);
  const signed = new ByteBuffer(128);
  appendCanonicalHeaders(out, signed, headers);
  return out.toString();
}

/** SigV4 step: SignedHeaders — the distinct lower-cased names, sorted, joined with ';'. */
export function signedHeaders(headers: Array<Header>): string {
  const out = new ByteBuffer(512);
  const signed = new ByteBuffer(128);
  appendCanonicalHeaders(out, signed, headers);
  return signed.toString();
}

/** The canonical form of a single header value (see appendCanonicalHeaderValue). */
export function canonicalHeaderValue(value: string): string {
  const out = new ByteBuffer(value.length + 16);
  appendCanonicalHeaderValue(out, value);
  return out.toString();
}
