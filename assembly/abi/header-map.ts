// The proxy-wasm header map wire format: u32 count N, N × (u32 key length, u32 value length), then each
// key and value followed by a NUL byte; lengths exclude the NUL; little-endian (hosts.md).
import { Header } from "../http/header";
import { decodeUtf8Lossy } from "../kernel/utf8";

/**
 * Serializes headers for proxy_http_call and proxy_send_local_response as UTF-8. A lone surrogate (a JSON
 * \ud800 escape in the config or in a function's reply) becomes U+FFFD, the same three bytes WTF-8 would
 * take, so the sizes computed first still hold; SigV4 canonicalizes it the same way.
 */
export function encodeHeaderMap(headers: Array<Header>): ArrayBuffer {
  const count = headers.length;
  let size = 4 + 8 * count;
  for (let i = 0; i < count; i++) {
    const header = unchecked(headers[i]);
    size += String.UTF8.byteLength(header.name) + String.UTF8.byteLength(header.value) + 2;
  }
  const buffer = new ArrayBuffer(size);
  const base = changetype<usize>(buffer);
  store<u32>(base, count);
  let data = base + 4 + 8 * <usize>count;
  for (let i = 0; i < count; i++) {
    const header = unchecked(headers[i]);
    const nameSize = String.UTF8.encodeUnsafe(changetype<usize>(header.name), header.name.length, data, false,
      String.UTF8.ErrorMode.REPLACE);
    store<u8>(data + nameSize, 0);
    data += nameSize + 1;
    const valueSize = String.UTF8.encodeUnsafe(changetype<usize>(header.value), header.value.length, data, false,
      String.UTF8.ErrorMode.REPLACE);
    store<u8>(data + valueSize, 0);
    data += valueSize + 1;
    store<u32>(base + 4 + 8 * <usize>i, <u32>nameSize);
    store<u32>(base + 8 + 8 * <usize>i, <u32>valueSize);
  }
  return buffer;
}

/**
 * Parses a host-written header map; a malformed map yields the pairs that fit, never reading past the end.
 * Malformed UTF-8 reads as U+FFFD, as the hosts read it: an overlong "/" or "&" must not become one here.
 */
export function decodeHeaderMap(buffer: ArrayBuffer): Array<Header> {
  const headers = new Array<Header>();
  const size = <usize>buffer.byteLength;
  if (size < 4) return headers;
  const base = changetype<usize>(buffer);
  const count = <usize>load<u32>(base);
  // Each pair takes at least 8 bytes of lengths plus two NULs.
  if (count > (size - 4) / 10) return headers;
  let data = base + 4 + 8 * count;
  const end = base + size;
  for (let i: usize = 0; i < count; i++) {
    const nameSize = <usize>load<u32>(base + 4 + 8 * i);
    const valueSize = <usize>load<u32>(base + 8 + 8 * i);
    if (nameSize > end - data || valueSize > end - data - nameSize || end - data - nameSize - valueSize < 2) break;
    const name = decodeUtf8Lossy(data, nameSize);
    data += nameSize + 1;
    const value = decodeUtf8Lossy(data, valueSize);
    data += valueSize + 1;
    headers.push(new Header(name, value));
  }
  return headers;
}
