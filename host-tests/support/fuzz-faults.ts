// Host faults for fuzzing: host functions that fail (allocation refused, NotFound, BadArgument…) at
// random, and callbacks invoked with arguments no well-behaved host would pass. Reaches into the
// emulator's HostCalls/GuestMemory instances (test-only wrapping; the emulator itself is unchanged).
import fc from "fast-check";
import type { Host } from "../../emulator/index.ts";
import { WasmResult } from "../../emulator/index.ts";

/** Which host functions fail, and how often (0–1), while faults are switched on. */
export interface FaultPlan {
  rate: number;
  statuses: WasmResult[];
  /** Host functions that never fail (by HostCalls/GuestMemory method name). */
  spare?: string[];
}

/** Wraps the host functions a filter depends on so each fails with probability plan.rate; returns an off switch. */
export function injectFaults(host: Host, random: () => number, plan: FaultPlan): () => void {
  const pick = () => plan.statuses[Math.floor(random() * plan.statuses.length)];
  const fails = () => random() < plan.rate;
  const calls = host.calls as any;
  const memory = (host as any).memory;
  const targets = ([
    [calls.buffers, "getBytes"], [calls.maps, "getPairs"], [calls.maps, "getValue"], [calls, "httpCall"],
    [calls, "setProperty"], [calls, "getProperty"], [calls, "setEffectiveContext"], [calls, "sendLocalResponse"], [memory, "copyOut"],
  ] as [any, string][]).filter(([, name]) => !plan.spare?.includes(name));
  const originals = targets.map(([object, name]) => object[name]);
  targets.forEach(([object, name], i) => {
    const original = originals[i].bind(object);
    object[name] = (...args: unknown[]) => (fails() ? pick() : original(...args));
  });
  return () => targets.forEach(([object, name], i) => { object[name] = originals[i]; });
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

/** Delivers a raw callback through the emulator's invoke (which marks the VM failed on a trap). */
export function deliverRaw(host: Host, call: RawCall): void {
  const i32 = (n: number) => n | 0;
  switch (call.fn) {
    case "proxy_on_http_call_response": {
      const callResponse = call.response
        ? { rootId: call.context, headers: [[":status", "200"], ["x", "y"]] as [string, string][], body: Buffer.from("body"), trailers: [], failed: false }
        : undefined;
      host.invoke(call.fn, [call.context, call.token, call.headers, call.body, call.trailers].map(i32),
        { contextId: call.context, requestId: 0, ...(callResponse ? { callResponse } : {}) });
      return;
    }
    case "proxy_on_context_create":
      host.invoke(call.fn, [call.context, call.parent].map(i32), { contextId: call.context });
      return;
    case "proxy_on_configure": case "proxy_on_vm_start":
      host.invoke(call.fn, [call.context, call.size].map(i32), { contextId: call.context, pluginConfig: Buffer.from(call.config) });
      return;
    case "malloc": case "proxy_on_memory_allocate":
      host.invoke(call.fn, [i32(call.size)], { contextId: 0 });
      return;
    case "proxy_on_done": case "proxy_on_log": case "proxy_on_delete": case "proxy_on_tick":
      host.invoke(call.fn, [i32(call.context)], { contextId: call.context });
      return;
    default:
      host.invoke(call.fn, [call.context, call.size, call.end].map(i32), { contextId: call.context, requestId: call.context });
  }
}
