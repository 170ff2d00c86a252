// The proxy-wasm header map wire format, used by proxy_get_header_map_pairs, proxy_http_call and
// proxy_send_local_response: u32 count N, then N × (u32 key_len, u32 value_len), then each key and
// value followed by a NUL byte (lengths exclude the NUL). All integers little-endian.
import { fromCaller, toBytes, type TextOrBytes } from "./text.ts";
import type { HeaderInput, Pairs } from "./types.ts";

/** Serializes pairs into the wire format. */
export function encodePairs(pairs: Pairs): Buffer {
  const keys = pairs.map(([k]) => toBytes(k));
  const values = pairs.map(([, v]) => toBytes(v));
  let size = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) size += keys[i].length + values[i].length + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let at = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    out.writeUInt32LE(keys[i].length, 4 + i * 8);
    out.writeUInt32LE(values[i].length, 8 + i * 8);
    at += keys[i].copy(out, at) + 1;
    at += values[i].copy(out, at) + 1;
  }
  return out;
}

/** Parses the wire format; returns null when the bytes are not a well-formed map. */
export function decodePairs(bytes: Uint8Array): Pairs | null {
  if (bytes.length === 0) return [];
  if (bytes.length < 4) return null;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = buf.readUInt32LE(0);
  if (4 + count * 8 > buf.length) return null;
  const pairs: Pairs = [];
  let at = 4 + count * 8;
  for (let i = 0; i < count; i++) {
    const keyLen = buf.readUInt32LE(4 + i * 8);
    const valueLen = buf.readUInt32LE(8 + i * 8);
    if (at + keyLen + valueLen + 2 > buf.length) return null;
    const key = buf.toString("utf8", at, at + keyLen);
    at += keyLen + 1;
    const value = buf.toString("utf8", at, at + valueLen);
    at += valueLen + 1;
    pairs.push([key, value]);
  }
  return pairs;
}

/** A caller's headers as internal pairs (text.ts), names lower-cased unless `lowerNames` is false. */
export function callerPairs(headers: HeaderInput | undefined, lowerNames = true): Pairs {
  const list: [TextOrBytes, TextOrBytes][] = Array.isArray(headers) ? headers : Object.entries(headers ?? {});
  return list.map(([k, v]) => {
    const name = fromCaller(k);
    return [lowerNames ? name.toLowerCase() : name, fromCaller(typeof v === "string" || v instanceof Uint8Array ? v : String(v))];
  });
}

/** First value of `name` (case-insensitive), or undefined. */
export function firstValue(pairs: Pairs, name: string): string | undefined {
  const lower = name.toLowerCase();
  return pairs.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Removes every `name` (case-insensitive) in place. */
export function removeAll(pairs: Pairs, name: string): void {
  const lower = name.toLowerCase();
  for (let i = pairs.length - 1; i >= 0; i--) if (pairs[i][0].toLowerCase() === lower) pairs.splice(i, 1);
}

/** Sets the first `name` to `value` and drops the others, or appends it (Envoy's setCopy). */
export function replaceValue(pairs: Pairs, name: string, value: string): void {
  const lower = name.toLowerCase();
  const first = pairs.findIndex(([k]) => k.toLowerCase() === lower);
  if (first < 0) {
    pairs.push([name, value]);
    return;
  }
  pairs[first] = [pairs[first][0], value];
  for (let i = pairs.length - 1; i > first; i--) if (pairs[i][0].toLowerCase() === lower) pairs.splice(i, 1);
}
