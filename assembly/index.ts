// The proxy-wasm ABI 0.2.1 entry points. Each one hands over to the context it names; none can trap on
// host input. Callbacks the filter does not use return the value that lets the request go on.
import { allocateForHost } from "./abi/memory";
import { FilterStatus } from "./abi/types";
import { createContext, deleteContext, deliverCalloutResponse, rootContext, streamContext, tick } from "./filter/contexts";
import { noteVmStart } from "./filter/host-traits";

/** ABI version marker both hosts look for. */
export function proxy_abi_version_0_2_1(): void {}

/** Allocator for data the host passes in (APISIX looks for this name first). */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

/** Allocator for data the host passes in (Envoy looks for this name first). */
export function malloc(size: usize): usize {
  return allocateForHost(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  createContext(contextId, parentContextId);
  afterCallback();
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): bool {
  noteVmStart();
  return true;
}

export function proxy_on_configure(rootContextId: u32, configurationSize: u32): bool {
  const root = rootContext(rootContextId);
  const ok = root != null && root.configure(configurationSize);
  afterCallback(true);
  return ok;
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  const status = stream == null ? FilterStatus.Continue : stream.onRequestHeaders(endOfStream != 0);
  afterCallback();
  return status;
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  const status = stream == null ? FilterStatus.Continue : stream.onRequestBody(bodySize, endOfStream != 0);
  afterCallback();
  return status;
}

export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  const status = stream == null ? FilterStatus.Continue : stream.onResponseHeaders(endOfStream != 0);
  afterCallback();
  return status;
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  const status = stream == null ? FilterStatus.Continue : stream.onResponseBody(bodySize, endOfStream != 0);
  afterCallback();
  return status;
}

export function proxy_on_response_trailers(contextId: u32, trailerCount: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_http_call_response(rootContextId: u32, token: u32, headerCount: u32, bodySize: u32,
  trailerCount: u32): void {
  deliverCalloutResponse(rootContextId, token, headerCount, bodySize);
  afterCallback();
}

export function proxy_on_tick(rootContextId: u32): void {
  tick(rootContextId);
  afterCallback();
}

export function proxy_on_log(contextId: u32): void {}

/** Returning true tells the host the context may be deleted now. */
export function proxy_on_done(contextId: u32): bool {
  return true;
}

export function proxy_on_delete(contextId: u32): void {
  deleteContext(contextId);
  afterCallback();
}

// The "minimal" runtime (TCMS) never collects on its own. A callback's end is the one point where no
// managed reference lives on the wasm stack, so collect there: whenever the heap had to grow since the
// last collection (garbage is then what is filling it), after a configuration, and every 64 callbacks.
let callbacks = 0;
let pagesAtCollect: i32 = 0;

function afterCallback(force: bool = false): void {
  if (!force && memory.size() == pagesAtCollect && ++callbacks < 64) return;
  callbacks = 0;
  __collect();
  pagesAtCollect = memory.size();
}
