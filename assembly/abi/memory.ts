// Memory the host asks for (proxy_on_memory_allocate / malloc) is handed out as pinned ArrayBuffers, so a
// buffer the host fills becomes a managed ArrayBuffer without a copy. Each host-call wrapper claims the
// buffers it was given and releases the rest, so a host that allocates and then fails leaks nothing.

// A larger request could not be satisfied without growing past what the VM can hold; returning 0 makes
// the host call fail cleanly instead of aborting the VM on out-of-memory.
const MAX_HOST_ALLOCATION: usize = 1 << 30;

const unclaimed = new Set<usize>();

/** Allocates `size` bytes for the host to write into; 0 when the request is too large. */
export function allocateForHost(size: usize): usize {
  if (size > MAX_HOST_ALLOCATION) return 0;
  const ptr = __pin(__new(size, idof<ArrayBuffer>()));
  unclaimed.add(ptr);
  return ptr;
}

/** Turns a host-filled allocation into an ArrayBuffer of `size` bytes; an unknown pointer reads as empty. */
export function claimHostBuffer(ptr: usize, size: usize): ArrayBuffer {
  if (ptr == 0 || !unclaimed.has(ptr)) return new ArrayBuffer(0);
  unclaimed.delete(ptr);
  __unpin(ptr);
  const buffer = changetype<ArrayBuffer>(ptr);
  const length = <usize>buffer.byteLength;
  if (size >= length) return buffer;
  return buffer.slice(0, <i32>size);
}

/** Unpins whatever the host allocated but the last call did not hand over. */
export function releaseUnclaimed(): void {
  if (unclaimed.size == 0) return;
  const leftovers = unclaimed.values();
  for (let i = 0; i < leftovers.length; i++) __unpin(leftovers[i]);
  unclaimed.clear();
}
