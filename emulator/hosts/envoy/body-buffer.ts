// Envoy buffers a body by moving each chunk's slices onto what it holds (Buffer::OwnedImpl::move): nothing
// already buffered is copied again. The emulator keeps a buffered body in one Buffer with room to grow, so
// appending copies only the new chunk (amortized linear) — re-joining everything per chunk would make the
// host's share of a body arriving in pieces quadratic, which no real host pays.

/** How much of each backing store holds data; views of a store never extend past it. */
const used = new WeakMap<ArrayBufferLike, number>();
const MIN_CAPACITY = 64 * 1024;

/** `body` with `chunk` after it; `body` may be a view that this function returned before. */
export function appendBody(body: Buffer, chunk: Buffer): Buffer {
  if (chunk.length === 0) return body;
  if (body.length === 0) return chunk;
  const end = body.byteOffset + body.length;
  if (used.get(body.buffer) === end && body.buffer.byteLength - end >= chunk.length) {
    // The body ends where its store's data does, with room after it: write the chunk there.
    new Uint8Array(body.buffer, end, chunk.length).set(chunk);
    used.set(body.buffer, end + chunk.length);
    return Buffer.from(body.buffer, body.byteOffset, body.length + chunk.length);
  }
  const size = body.length + chunk.length;
  // Not from the shared pool (allocUnsafeSlow): the store is this body's alone.
  const store = Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY, 2 * size));
  body.copy(store, 0);
  chunk.copy(store, body.length);
  used.set(store.buffer, size);
  return store.subarray(0, size);
}
