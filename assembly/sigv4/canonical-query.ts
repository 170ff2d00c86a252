// SigV4 step "CanonicalQueryString": every name and value decoded and re-encoded with UriEncode,
// sorted by encoded name, then encoded value (byte order), joined as name=value with '&'.
import { ByteBuffer } from "../kernel/byte-buffer";
import { appendQueryComponent } from "../kernel/percent";

// Scratch reused across calls (single-threaded, not re-entered): the encoded names and values, and
// for each parameter a triple [nameStart, nameEnd(= valueStart), valueEnd] of offsets into `scratch`.
const scratch = new ByteBuffer(1024);
const params = new Array<i32>(48);
const order = new Array<i32>(16);

/** Byte-wise comparison of scratch[a0..a1) and scratch[b0..b1). */
function compareRanges(a0: i32, a1: i32, b0: i32, b1: i32): i32 {
  const la = a1 - a0;
  const lb = b1 - b0;
  const n = la < lb ? la : lb;
  const pa = scratch.at(a0);
  const pb = scratch.at(b0);
  const cmp = memory.compare(pa, pb, <usize>n);
  if (cmp != 0) return cmp;
  return la - lb;
}

/** Orders parameter indices by encoded name, then encoded value. */
function compareParams(a: i32, b: i32): i32 {
  const ia = a * 3;
  const ib = b * 3;
  const nameA0 = unchecked(params[ia]), nameA1 = unchecked(params[ia + 1]), valA1 = unchecked(params[ia + 2]);
  const nameB0 = unchecked(params[ib]), nameB1 = unchecked(params[ib + 1]), valB1 = unchecked(params[ib + 2]);
  let cmp = compareRanges(nameA0, nameA1, nameB0, nameB1);
  if (cmp != 0) return cmp;
  cmp = compareRanges(nameA1, valA1, nameB1, valB1);
  if (cmp != 0) return cmp;
  return a - b; // identical pairs: keep a total order
}

/**
 * Appends the CanonicalQueryString of `rawQuery` (the query as sent, without the leading '?') to `out`.
 * Parameters are split on '&' (empty ones, as in "a=1&&b=2", are skipped) and at the first '=';
 * a parameter without '=' is a name with an empty value ("k" -> "k="). Names and values are
 * percent-decoded, then re-encoded (see appendQueryComponent): '+' is a literal plus (%2B), space %20,
 * malformed escapes are kept as data (%25). Repeated names are all kept, ordered by value.
 */
export function appendCanonicalQuery(out: ByteBuffer, rawQuery: string): void {
  const n = rawQuery.length;
  if (n == 0) return;
  scratch.reset();
  params.length = 0;
  let i = 0;
  while (i <= n) {
    let j = i;
    let eq = -1;
    while (j < n) {
      const c = rawQuery.charCodeAt(j);
      if (c == 38) break; // '&'
      if (c == 61 && eq < 0) eq = j; // first '='
      j++;
    }
    if (j > i) {
      const nameEnd = eq < 0 ? j : eq;
      const start = scratch.length;
      appendQueryComponent(scratch, rawQuery, i, nameEnd);
      const mid = scratch.length;
      if (eq >= 0) appendQueryComponent(scratch, rawQuery, eq + 1, j);
      params.push(start);
      params.push(mid);
      params.push(scratch.length);
    }
    i = j + 1;
  }
  const count = params.length / 3;
  if (count == 0) return;
  order.length = count;
  for (let k = 0; k < count; k++) unchecked((order[k] = k));
  if (count > 1) order.sort(compareParams);
  // Exact size: names + values + one '=' each + '&' between.
  out.reserve(<i64>scratch.length + <i64>count * 2);
  for (let k = 0; k < count; k++) {
    const p = unchecked(order[k]) * 3;
    if (k > 0) out.writeByte(38);
    const s0 = unchecked(params[p]), s1 = unchecked(params[p + 1]), s2 = unchecked(params[p + 2]);
    out.writeFrom(scratch, s0, s1);
    out.writeByte(61);
    out.writeFrom(scratch, s1, s2);
  }
  scratch.release(16384); // a huge query must not pin its scratch copy
}

/**
 * SigV4 step: CanonicalQueryString. `canonicalQuery("b=2&a=x y&a")` is "a=&a=x%20y&b=2".
 */
export function canonicalQuery(rawQuery: string): string {
  const out = new ByteBuffer(rawQuery.length * 3 + 16);
  appendCanonicalQuery(out, rawQuery);
  return out.toString();
}
