// CRC-32 (IEEE 802.3, the zlib polynomial 0xEDB88320, reflected), which AWS event streams use to check
// each message's prelude and the whole message.

function makeTable(): StaticArray<u32> {
  const table = new StaticArray<u32>(256);
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    unchecked((table[n] = c));
  }
  return table;
}

const TABLE = makeTable();

/** CRC-32 of `length` bytes of `data` from `offset`. */
export function crc32(data: Uint8Array, offset: i32, length: i32): u32 {
  let c: u32 = 0xffffffff;
  const end = offset + length;
  for (let i = offset; i < end; i++) c = unchecked(TABLE[(c ^ <u32>unchecked(data[i])) & 0xff]) ^ (c >>> 8);
  return c ^ 0xffffffff;
}
