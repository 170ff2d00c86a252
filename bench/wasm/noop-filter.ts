// The do-nothing baseline for the request benchmarks: a proxy-wasm filter (no SDK) that does only what
// any callout filter must — wait for the body, hand it to one proxy_http_call with three fixed
// headers, and answer the client with a local reply carrying the callout's body — so the emulator's
// and the ABI's own cost per request is visible next to the real filter's. Compiled by bench/run.ts
// with the same release flags as the filter.

// @ts-ignore: decorator
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(type: u32, start: u32, len: u32, ptrPtr: usize, sizePtr: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, dp: usize, dl: usize, bp: usize, bl: usize, hp: usize, hl: usize, grpc: i32): u32;
// @ts-ignore: decorator
@external("env", "proxy_http_call") declare function proxy_http_call(up: usize, ul: usize, hp: usize, hl: usize, bp: usize, bl: usize, tp: usize, tl: usize, timeout: u32, tokenPtr: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(id: u32): u32;

const RET = memory.data(16); // ptr, size, token
const tokens = new Map<u32, u32>();

/** Serialized header map (count, lengths, NUL-terminated names and values). */
function encodePairs(flat: string[]): ArrayBuffer {
  const n = flat.length >> 1;
  let size = 4 + n * 8;
  const parts = new Array<ArrayBuffer>(flat.length);
  for (let i = 0; i < flat.length; i++) { parts[i] = String.UTF8.encode(flat[i]); size += parts[i].byteLength + 1; }
  const out = new ArrayBuffer(size);
  const p = changetype<usize>(out);
  store<u32>(p, n);
  for (let i = 0; i < flat.length; i++) store<u32>(p + 4 + i * 4, parts[i].byteLength);
  let q = p + 4 + n * 8;
  for (let i = 0; i < flat.length; i++) {
    memory.copy(q, changetype<usize>(parts[i]), parts[i].byteLength);
    q += parts[i].byteLength;
    store<u8>(q++, 0);
  }
  return out;
}

const CALLOUT_HEADERS = encodePairs([":method", "POST", ":path", "/", ":authority", "lambda"]);
const NO_HEADERS = encodePairs([]);
const UPSTREAM = String.UTF8.encode("lambda");

export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_memory_allocate(size: usize): usize { return heap.alloc(size); }
export function malloc(size: usize): usize { return heap.alloc(size); }
export function proxy_on_vm_start(root: u32, size: u32): u32 { return 1; }
export function proxy_on_context_create(ctx: u32, parent: u32): void {}
export function proxy_on_configure(root: u32, size: u32): u32 { return 1; }

function dispatch(ctx: u32, body: usize, size: usize): u32 {
  const rc = proxy_http_call(changetype<usize>(UPSTREAM), UPSTREAM.byteLength, changetype<usize>(CALLOUT_HEADERS),
    CALLOUT_HEADERS.byteLength, body, size, 0, 0, 3000, RET + 8);
  if (rc == 0) tokens.set(load<u32>(RET, 8), ctx);
  return 1; // StopIteration
}

export function proxy_on_request_headers(ctx: u32, headers: u32, endOfStream: u32): u32 {
  return endOfStream ? dispatch(ctx, 0, 0) : 1;
}

export function proxy_on_request_body(ctx: u32, size: u32, endOfStream: u32): u32 {
  if (!endOfStream) return 1;
  store<u32>(RET, 0); store<u32>(RET, 0, 4);
  if (size == 0 || proxy_get_buffer_bytes(0, 0, size, RET, RET + 4) != 0) return dispatch(ctx, 0, 0);
  const ptr = load<u32>(RET);
  const rc = dispatch(ctx, ptr, load<u32>(RET, 4));
  heap.free(ptr);
  return rc;
}

export function proxy_on_http_call_response(root: u32, token: u32, headers: u32, bodySize: u32, trailers: u32): void {
  if (!tokens.has(token)) return;
  const ctx = tokens.get(token);
  tokens.delete(token);
  proxy_set_effective_context(ctx);
  store<u32>(RET, 0); store<u32>(RET, 0, 4);
  let ptr: usize = 0, size: usize = 0;
  if (bodySize > 0 && proxy_get_buffer_bytes(4, 0, bodySize, RET, RET + 4) == 0) { ptr = load<u32>(RET); size = load<u32>(RET, 4); }
  proxy_send_local_response(200, 0, 0, ptr, size, changetype<usize>(NO_HEADERS), NO_HEADERS.byteLength, -1);
  if (ptr) heap.free(ptr);
}

export function proxy_on_done(ctx: u32): u32 { return 1; }
export function proxy_on_log(ctx: u32): void {}
export function proxy_on_delete(ctx: u32): void {}
