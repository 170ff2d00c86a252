// UTF-8 well-formedness (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.

/** True when every byte of `bytes` is part of a well-formed UTF-8 sequence. */
export function isValidUtf8(bytes: ArrayBuffer): bool {
  const data = Uint8Array.wrap(bytes);
  const length = data.length;
  let i = 0;
  while (i < length) {
    const b0 = <u32>unchecked(data[i]);
    if (b0 < 0x80) { i++; continue; }
    let need = 0;
    let min: u32 = 0;
    let code: u32 = 0;
    if ((b0 & 0xe0) == 0xc0) { need = 1; min = 0x80; code = b0 & 0x1f; }
    else if ((b0 & 0xf0) == 0xe0) { need = 2; min = 0x800; code = b0 & 0x0f; }
    else if ((b0 & 0xf8) == 0xf0) { need = 3; min = 0x10000; code = b0 & 0x07; }
    else return false;
    if (length - i <= need) return false;
    for (let k = 1; k <= need; k++) {
      const b = <u32>unchecked(data[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      code = (code << 6) | (b & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}
