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
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): bool {
  noteVmStart();
  return true;
}

export function proxy_on_configure(rootContextId: u32, configurationSize: u32): bool {
  const root = rootContext(rootContextId);
  return root != null && root.configure(configurationSize);
}

export function proxy_on_request_headers(contextId: u32, headerCount: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  return stream == null ? FilterStatus.Continue : stream.onRequestHeaders(endOfStream != 0);
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): FilterStatus {
  const stream = streamContext(contextId);
  return stream == null ? FilterStatus.Continue : stream.onRequestBody(bodySize, endOfStream != 0);
}

export function proxy_on_request_trailers(contextId: u32, trailerCount: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_response_headers(contextId: u32, headerCount: u32, endOfStream: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_response_trailers(contextId: u32, trailerCount: u32): FilterStatus {
  return FilterStatus.Continue;
}

export function proxy_on_http_call_response(rootContextId: u32, token: u32, headerCount: u32, bodySize: u32,
  trailerCount: u32): void {
  deliverCalloutResponse(rootContextId, token, headerCount, bodySize);
}

export function proxy_on_tick(rootContextId: u32): void {
  tick(rootContextId);
}

export function proxy_on_log(contextId: u32): void {}

/** Returning true tells the host the context may be deleted now. */
export function proxy_on_done(contextId: u32): bool {
  return true;
}

export function proxy_on_delete(contextId: u32): void {
  deleteContext(contextId);
}
