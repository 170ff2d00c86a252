// SHA-256 of messages that often share their first block. A route's canonical requests usually start with
// the same 64 bytes (method, path, query, first headers): the chaining state after that block is kept and
// resumed when the next message starts with the same bytes, saving one of its ~5 compressions.
import { ByteBuffer } from "../kernel/byte-buffer";
import { hexFromPtr } from "../kernel/hex";
import { CTX_SIZE, ctxFinal, ctxInit, ctxResume, ctxUpdate } from "./sha256";

// @ts-ignore: decorator
@lazy const CTX: usize = memory.data(CTX_SIZE, 16);
// @ts-ignore: decorator
@lazy const FIRST_BLOCK: usize = memory.data(64, 16);
// @ts-ignore: decorator
@lazy const FIRST_STATE: usize = memory.data(32, 16);
// @ts-ignore: decorator
@lazy const DIGEST: usize = memory.data(32, 16);
let firstBlockValid = false;

/** Hex SHA-256 of the buffer's contents, reusing the kept first-block state when it applies. */
export function sha256HexWithCachedPrefix(buffer: ByteBuffer): string {
  const ptr = buffer.at(0);
  const len = <usize>buffer.length;
  if (len > 64) {
    if (firstBlockValid && memory.compare(FIRST_BLOCK, ptr, 64) == 0) {
      ctxResume(CTX, FIRST_STATE, 64);
    } else {
      ctxInit(CTX);
      ctxUpdate(CTX, ptr, 64); // exactly one block: compressed now, state at CTX
      memory.copy(FIRST_STATE, CTX, 32);
      memory.copy(FIRST_BLOCK, ptr, 64);
      firstBlockValid = true;
    }
    ctxUpdate(CTX, ptr + 64, len - 64);
  } else {
    ctxInit(CTX);
    ctxUpdate(CTX, ptr, len);
  }
  ctxFinal(CTX, DIGEST);
  return hexFromPtr(DIGEST, 32);
}
