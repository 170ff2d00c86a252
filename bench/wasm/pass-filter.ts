// The do-nothing baseline for proxy mode: a proxy-wasm filter (no SDK) that does only what any filter
// signing a request in place must — hold the headers until the body is in (the signature covers its
// hash), let the host buffer the body, then let the request go to the route's upstream and the response
// through untouched — so the emulator's and the ABI's own cost per proxied request is visible next to the
// real filter's. Compiled by bench/run.ts with the same release flags as the filter.

export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_on_vm_start(root: u32, size: u32): u32 { return 1; }
export function proxy_on_context_create(ctx: u32, parent: u32): void {}
export function proxy_on_configure(root: u32, size: u32): u32 { return 1; }

/** Continue without a body; StopIteration until the body is in otherwise. */
export function proxy_on_request_headers(ctx: u32, headers: u32, endOfStream: u32): u32 {
  return endOfStream ? 0 : 1;
}

/** StopIterationAndBuffer until the last piece, then Continue (headers and body go on together). */
export function proxy_on_request_body(ctx: u32, size: u32, endOfStream: u32): u32 {
  return endOfStream ? 0 : 1;
}

export function proxy_on_response_headers(ctx: u32, headers: u32, endOfStream: u32): u32 { return 0; }
export function proxy_on_response_body(ctx: u32, size: u32, endOfStream: u32): u32 { return 0; }
