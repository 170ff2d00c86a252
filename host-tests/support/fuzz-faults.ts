// Host faults for fuzzing: host functions that fail (allocation refused, NotFound, BadArgument…) at
// random, through the emulator's fault injection, and callbacks invoked with arguments no well-behaved
// host would pass.
import fc from "fast-check";
import type { Host, WasmResult } from "../../emulator/index.ts";

/** Which host functions fail, and how often (0–1), while faults are switched on. */
export interface FaultPlan {
  rate: number;
  statuses: WasmResult[];
  /** Host functions (env.proxy_* names) that never fail. */
  spare?: string[];
}

/** The host functions a filter depends on: each answers a failure instead of doing its work. */
const FAILING_CALLS = ["proxy_get_buffer_bytes", "proxy_get_header_map_pairs", "proxy_get_header_map_value", "proxy_http_call",
  "proxy_set_property", "proxy_get_property", "proxy_set_effective_context", "proxy_send_local_response"];
/** The host functions that hand data to the module: each may fail to, as when the allocator refuses. */
const FAILING_COPIES = ["proxy_get_buffer_bytes", "proxy_get_header_map_pairs", "proxy_get_header_map_value", "proxy_get_property"];

/** Makes the host functions a filter depends on fail with probability plan.rate; returns an off switch. */
export function injectFaults(host: Host, random: () => number, plan: FaultPlan): () => void {
  const pick = () => plan.statuses[Math.floor(random() * plan.statuses.length)];
  const fails = () => random() < plan.rate;
  // proxy_set_effective_context is a no-op on APISIX: it cannot fail there.
  const calls = FAILING_CALLS.filter((name) => !(host.profile === "apisix" && name === "proxy_set_effective_context"));
  const removals = [
    ...calls.filter((name) => !plan.spare?.includes(name)).map((name) => host.failHostCall(name, pick, fails)),
    ...FAILING_COPIES.filter((name) => !plan.spare?.includes(name)).map((name) => host.failCopyIntoModule(name, pick, fails)),
  ];
  return () => removals.forEach((remove) => remove());
}

/** One raw callback as a host with a bug might deliver it. */
export type RawCall =
  | { fn: "proxy_on_http_call_response"; context: number; token: number; headers: number; body: number; trailers: number; response: boolean }
  | { fn: "proxy_on_request_headers" | "proxy_on_request_body" | "proxy_on_response_headers" | "proxy_on_response_body"; context: number; size: number; end: number }
  | { fn: "proxy_on_context_create"; context: number; parent: number }
  | { fn: "proxy_on_configure" | "proxy_on_vm_start"; context: number; size: number; config: string }
  | { fn: "proxy_on_done" | "proxy_on_log" | "proxy_on_delete" | "proxy_on_tick"; context: number }
  | { fn: "malloc" | "proxy_on_memory_allocate"; size: number };

const contextId = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(0xffffffff, 0x7fffffff, 1 << 20));
const size = fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constantFrom(0xffffffff, 0x7fffffff, 1 << 30, (1 << 30) - 20, 0x80000000));

/** Callbacks with ids, tokens, counts and sizes out of any sane range. */
export const rawCallArb: fc.Arbitrary<RawCall> = fc.oneof(
  fc.record({ fn: fc.constant("proxy_on_http_call_response" as const), context: contextId,
    token: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.constantFrom(0xffffffff, 0x80000000)),
    headers: size, body: size, trailers: size, response: fc.boolean() }),
  fc.record({ fn: fc.constantFrom("proxy_on_request_headers" as const, "proxy_on_request_body" as const,
    "proxy_on_response_headers" as const, "proxy_on_response_body" as const), context: contextId, size, end: fc.constantFrom(0, 1, 2, 0xffffffff) }),
  fc.record({ fn: fc.constant("proxy_on_context_create" as const), context: contextId, parent: contextId }),
  fc.record({ fn: fc.constantFrom("proxy_on_configure" as const, "proxy_on_vm_start" as const), context: contextId, size,
    config: fc.constantFrom("", "{}", "{\"function_uri\":\"https://a.b/fn\"}", "not json") }),
  fc.record({ fn: fc.constantFrom("proxy_on_done" as const, "proxy_on_log" as const, "proxy_on_delete" as const, "proxy_on_tick" as const), context: contextId }),
  fc.record({ fn: fc.constantFrom("malloc" as const, "proxy_on_memory_allocate" as const), size }),
);

/** Delivers a raw callback through Host.callExport (which fails the VM on a trap). */
export function deliverRaw(host: Host, call: RawCall): void {
  const i32 = (n: number) => n | 0;
  switch (call.fn) {
    case "proxy_on_http_call_response": {
      const callResponse = call.response ? { headers: [[":status", "200"], ["x", "y"]] as [string, string][], body: "body" } : undefined;
      host.callExport(call.fn, [call.context, call.token, call.headers, call.body, call.trailers].map(i32),
        { contextId: call.context, requestId: 0, ...(callResponse ? { callResponse } : {}) });
      return;
    }
    case "proxy_on_context_create":
      host.callExport(call.fn, [call.context, call.parent].map(i32), { contextId: call.context });
      return;
    case "proxy_on_configure": case "proxy_on_vm_start":
      host.callExport(call.fn, [call.context, call.size].map(i32), { contextId: call.context, pluginConfig: call.config });
      return;
    case "malloc": case "proxy_on_memory_allocate":
      host.callExport(call.fn, [i32(call.size)], { contextId: 0 });
      return;
    case "proxy_on_done": case "proxy_on_log": case "proxy_on_delete": case "proxy_on_tick":
      host.callExport(call.fn, [i32(call.context)], { contextId: call.context });
      return;
    default:
      host.callExport(call.fn, [call.context, call.size, call.end].map(i32), { contextId: call.context, requestId: call.context });
  }
}
