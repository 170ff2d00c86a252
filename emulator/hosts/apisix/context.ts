// APISIX's notion of "the request a host call acts on": the request being processed
// (ngx_http_wasm_get_req); proxy_set_effective_context is a no-op there. And what a host bug that kills
// the nginx worker looks like from inside the VM.
import type { CallResponse, StreamContext, VmState } from "../../vm-state.ts";

/** The live stream of the request being processed, if any. */
export function currentRequest(vm: VmState): StreamContext | undefined {
  const s = vm.streams.get(vm.frame?.requestId ?? 0);
  return s && !s.deleted ? s : undefined;
}

/** The callout response readable now: only during its callback. */
export function readableCallResponse(vm: VmState): CallResponse | undefined {
  const cr = vm.frame?.callResponse;
  return cr && !cr.failed ? cr : undefined;
}

/**
 * The nginx worker dies in the middle of a host call (e.g. SIGSEGV): the request gets no response and
 * the VM is gone. Thrown through the module, so the running callback never returns.
 */
export function crashWorker(s: StreamContext, reason: string): never {
  s.apisixOutcome = { kind: "crash", reason };
  throw new Error(`APISIX worker crashed: ${reason}`);
}
