// What the filter can tell about the host it runs in. Envoy (proxy-wasm-cpp-host) calls proxy_on_vm_start
// before any configure; APISIX (wasm-nginx-module) never does — and there end_of_stream is always true on
// request headers and the body only arrives after setting `wasm_process_req_body` (hosts.md).

let vmStarted = false;

/** Records that the host called proxy_on_vm_start. */
export function noteVmStart(): void {
  vmStarted = true;
}

/** True on hosts that deliver the body only on request (APISIX): wait for proxy_on_request_body always. */
export function bodyAlwaysFollowsHeaders(): bool {
  return !vmStarted;
}

/**
 * True where reading the request header map without a Host header crashes the host (APISIX:
 * wasm-nginx-module's `:authority` getter dereferences nginx's missing `headers_in.host`).
 */
export function headerMapNeedsHost(): bool {
  return !vmStarted;
}

/** True where `upstream` must be a host[:port] the host can connect to (APISIX), not a cluster name. */
export function upstreamIsHostPort(): bool {
  return !vmStarted;
}

/** Short host name for log lines. */
export function hostName(): string {
  return vmStarted ? "envoy" : "apisix";
}

/**
 * True where a proxied request's path and Host are set through the nginx variables the route's upstream is
 * built from ($upstream_uri, $upstream_host: APISIX), not by rewriting `:path` / `:authority` (Envoy).
 */
export function proxyRewritesViaVariables(): bool {
  return !vmStarted;
}

/** True where the filter can replace request and response bodies (Envoy; APISIX: Unimplemented). */
export function canReplaceBodies(): bool {
  return vmStarted;
}
