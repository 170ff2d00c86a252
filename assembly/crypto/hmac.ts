// HMAC-SHA256 (RFC 2104 / FIPS 198-1). The padded key blocks are compressed once into inner and
// outer chaining states; the message is then streamed into a static context, so the only
// allocation per call is the returned MAC.
import { CTX_SIZE, compress, ctxInit, ctxResume, ctxUpdate, ctxUpdateUtf16, ctxFinal } from "./sha256";

// Scratch (single-threaded, never re-entered): hashing context, key block, one-shot states, inner digest.
// @ts-ignore: decorator
@lazy const CTX: usize = memory.data(CTX_SIZE, 16);
/** The padded key block, as eight words so the pads are applied a word at a time. */
const PAD_WORDS = new StaticArray<u64>(8);
const PAD: usize = changetype<usize>(PAD_WORDS);
// @ts-ignore: decorator
@lazy const STATES: usize = memory.data(64, 16);
// @ts-ignore: decorator
@lazy const INNER: usize = memory.data(32, 16);

// @ts-ignore: decorator
@inline function xorPad(mask: u64): void {
  for (let i = 0; i < 8; i++) unchecked((PAD_WORDS[i] = PAD_WORDS[i] ^ mask));
}

/** Writes the inner (ipad) chaining state to `states` and the outer (opad) one to `states + 32`. */
function deriveStates(key: usize, len: usize, states: usize): void {
  // Keys longer than the block are replaced by their digest; shorter ones are zero-padded.
  if (len > 64) {
    ctxInit(CTX);
    ctxUpdate(CTX, key, len);
    ctxFinal(CTX, PAD);
    memory.fill(PAD + 32, 0, 32);
  } else {
    memory.copy(PAD, key, len);
    memory.fill(PAD + len, 0, 64 - len);
  }
  xorPad(0x3636363636363636);
  ctxInit(CTX);
  compress(CTX, PAD, 1);
  memory.copy(states, CTX, 32);
  xorPad(0x3636363636363636 ^ 0x5c5c5c5c5c5c5c5c); // ipad -> opad
  ctxInit(CTX);
  compress(CTX, PAD, 1);
  memory.copy(states + 32, CTX, 32);
  memory.fill(PAD, 0, 64); // don't leave key material in scratch
}

/** Finishes the inner hash already fed into CTX and writes the outer hash over it to `out` (32 bytes). */
function finishInto(states: usize, out: usize): void {
  ctxFinal(CTX, INNER);
  ctxResume(CTX, states + 32, 64);
  ctxUpdate(CTX, INNER, 32);
  ctxFinal(CTX, out);
}

/** Finishes the inner hash already fed into CTX and returns the outer hash over it. */
function finish(states: usize): ArrayBuffer {
  const out = new ArrayBuffer(32);
  finishInto(states, changetype<usize>(out));
  return out;
}

/** HMAC-SHA256 of `message` under `key` (any key length, including empty and longer than 64 bytes). */
export function hmacSha256(key: ArrayBuffer, message: ArrayBuffer): ArrayBuffer {
  deriveStates(changetype<usize>(key), <usize>key.byteLength, STATES);
  ctxResume(CTX, STATES, 64);
  ctxUpdate(CTX, changetype<usize>(message), <usize>message.byteLength);
  return finish(STATES);
}

/** HMAC-SHA256 of the UTF-8 encoding of `message` (lone surrogates as U+FFFD), encoded on the fly. */
export function hmacSha256Utf8(key: ArrayBuffer, message: string): ArrayBuffer {
  deriveStates(changetype<usize>(key), <usize>key.byteLength, STATES);
  ctxResume(CTX, STATES, 64);
  ctxUpdateUtf16(CTX, changetype<usize>(message), <usize>message.length);
  return finish(STATES);
}

/** HMAC-SHA256 with the key schedule precomputed: each MAC then costs two compressions less. */
export class HmacSha256 {
  // Inner chaining state (bytes 0..32) and outer (32..64) after the padded key block.
  private states: ArrayBuffer = new ArrayBuffer(64);

  constructor(key: ArrayBuffer) {
    deriveStates(changetype<usize>(key), <usize>key.byteLength, changetype<usize>(this.states));
  }

  /** MAC of `message`. */
  mac(message: ArrayBuffer): ArrayBuffer {
    const states = changetype<usize>(this.states);
    ctxResume(CTX, states, 64);
    ctxUpdate(CTX, changetype<usize>(message), <usize>message.byteLength);
    return finish(states);
  }

  /** MAC of `len` bytes at `ptr`, written to the 32 bytes at `out` (which may overlap the message). */
  macInto(ptr: usize, len: usize, out: usize): void {
    const states = changetype<usize>(this.states);
    ctxResume(CTX, states, 64);
    ctxUpdate(CTX, ptr, len);
    finishInto(states, out);
  }

  /** MAC of the UTF-8 encoding of `message`. */
  macUtf8(message: string): ArrayBuffer {
    const states = changetype<usize>(this.states);
    ctxResume(CTX, states, 64);
    ctxUpdateUtf16(CTX, changetype<usize>(message), <usize>message.length);
    return finish(states);
  }
}
