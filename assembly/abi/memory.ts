// Memory the host asks for (proxy_on_memory_allocate / malloc) is handed out as pinned ArrayBuffers, so a
// buffer the host fills becomes a managed ArrayBuffer without a copy. Each host-call wrapper claims the
// buffers it was given and releases the rest, so a host that allocates and then fails leaks nothing.

// The runtime aborts (a trap) on an object of about 2^30 - 20 bytes or more (OBJECT_MAXSIZE) and when
// linear memory cannot grow to fit a block (rt/tlsf). Refusing such sizes up front (0) makes the host call
// fail cleanly instead; the margin covers the block and object headers.
const MAX_HOST_ALLOCATION: usize = (1 << 30) - 64;
/** wasm32 linear memory holds at most 65536 pages of 64 KiB. */
const MAX_PAGES: usize = 65536;

const unclaimed = new Set<usize>();

/** Allocates `size` bytes for the host to write into; 0 when the request is too large. */
export function allocateForHost(size: usize): usize {
  if (size > MAX_HOST_ALLOCATION) return 0;
  // The allocator grows memory by at least the pages the block needs, and traps when it cannot.
  const pagesNeeded = (size + 0x1ffff) >>> 16;
  if (<usize>memory.size() + pagesNeeded > MAX_PAGES) return 0;
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
