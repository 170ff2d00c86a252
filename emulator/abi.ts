// The env.proxy_* imports: decode pointer arguments from linear memory, call the host's functions,
// write results back through the module's allocator. The only file that turns pointers into values
// for proxy_*. Every import passes through the fault injection gate (faults.ts).
import { WasmResult } from "./enums.ts";
import type { Faults } from "./faults.ts";
import { decodePairs, encodePairs } from "./header-map.ts";
import type { HostBehaviour } from "./hosts/behaviour.ts";
import type { GuestMemory } from "./memory.ts";
import { toBytes } from "./text.ts";
import type { Result } from "./types.ts";
import type { VmState } from "./vm-state.ts";

type HostFn = (...args: any[]) => number;

const IMA = WasmResult.InvalidMemoryAccess;

/**
 * Builds the env module for `names` (what the host links for the module's ABI version).
 * `memory` is resolved lazily because the instance does not exist yet.
 */
export function envImports(names: Set<string>, host: HostBehaviour, vm: VmState, faults: Faults, memory: () => GuestMemory): Record<string, HostFn> {
  const { calls, linking } = host;
  const m = memory;
  const str = (ptr: number, len: number) => m().readString(ptr, len);
  const bytes = (ptr: number, len: number) => m().read(ptr, len);

  /** Writes a Result<Buffer|string> through the return pointers. */
  const out = (r: Result<Buffer | string>, ptrPtr: number, sizePtr: number): number => {
    if (typeof r === "number") return r;
    const data = typeof r.value === "string" ? toBytes(r.value) : r.value;
    return m().copyOut(data, ptrPtr, sizePtr);
  };
  const u32 = (r: Result<number>, ptr: number): number => {
    if (typeof r === "number") return r;
    return m().writeU32(ptr, r.value) ? WasmResult.Ok : IMA;
  };
  const edit = (mode: "add" | "replace" | "remove") => (type: number, kp: number, kl: number, vp = 0, vl = 0) => {
    const key = str(kp, kl);
    const value = mode === "remove" ? "" : str(vp, vl);
    if (key === null || value === null) return IMA;
    return calls.maps.edit(type, key, mode === "remove" ? undefined : value, mode);
  };
  const localResponse = (status: number, dp: number, dl: number, bp: number, bl: number, hp: number, hl: number, grpc: number) => {
    const details = str(dp, dl);
    const body = bytes(bp, bl);
    const headers = bytes(hp, hl);
    if (details === null || body === null || headers === null) return IMA;
    return calls.sendLocalResponse(status >>> 0, details, body, decodePairs(headers) ?? [], grpc | 0);
  };

  const impl: Record<string, HostFn> = {
    proxy_log: (level, ptr, len) => {
      const message = str(ptr, len);
      return message === null ? IMA : calls.log(level, message);
    },
    proxy_get_log_level: (ret) => u32({ value: calls.logLevel() }, ret),
    proxy_get_current_time_nanoseconds: (ret) => (m().writeU64(ret, calls.nowNs()) ? WasmResult.Ok : IMA),
    proxy_set_tick_period_milliseconds: (period: number) => calls.setTickPeriod(period >>> 0),
    proxy_get_property: (pp, pl, rp, rs) => {
      const path = str(pp, pl);
      return path === null ? IMA : out(calls.getProperty(path), rp, rs);
    },
    proxy_set_property: (kp, kl, vp, vl) => {
      const path = str(kp, kl);
      const value = bytes(vp, vl);
      return path === null || value === null ? IMA : calls.setProperty(path, value);
    },
    proxy_get_buffer_bytes: (type, start, length, rp, rs) => out(calls.buffers.getBytes(type, start, length), rp, rs),
    proxy_get_buffer_status: (type, lp, fp) => {
      const r = u32(calls.buffers.getSize(type), lp);
      return r === WasmResult.Ok && !m().writeU32(fp, 0) ? IMA : r;
    },
    proxy_set_buffer_bytes: (type, start, length, dp, ds) => {
      const data = bytes(dp, ds);
      return data === null ? IMA : calls.buffers.setBytes(type, start, length, data);
    },
    proxy_get_configuration: (rp, rs) => out(calls.buffers.getConfiguration(), rp, rs),
    proxy_get_header_map_pairs: (type, rp, rs) => {
      const r = calls.maps.getPairs(type);
      if (typeof r === "number") return r;
      return m().copyOut(r.value.length ? encodePairs(r.value) : Buffer.alloc(0), rp, rs);
    },
    proxy_set_header_map_pairs: (type, p, s) => {
      const data = bytes(p, s);
      return data === null ? IMA : calls.maps.setPairs(type, decodePairs(data) ?? []);
    },
    proxy_get_header_map_size: (type, rp) => u32(calls.maps.getSize(type), rp),
    proxy_get_header_map_value: (type, kp, kl, rp, rs) => {
      const key = str(kp, kl);
      return key === null ? IMA : out(calls.maps.getValue(type, key), rp, rs);
    },
    proxy_add_header_map_value: edit("add"),
    proxy_replace_header_map_value: edit("replace"),
    proxy_remove_header_map_value: edit("remove"),
    proxy_send_local_response: localResponse,
    proxy_send_http_response: localResponse,
    proxy_http_call: (up, ul, hp, hl, bp, bl, tp, tl, timeout, tokenPtr) => {
      const upstream = str(up, ul);
      const headers = bytes(hp, hl);
      const body = bytes(bp, bl);
      const trailers = bytes(tp, tl);
      if (upstream === null || headers === null || body === null || trailers === null) return IMA;
      // Envoy writes the token slot first to verify it, then the token (0 on failure).
      if (linking.zeroTokenSlotFirst && !m().writeU32(tokenPtr, 0)) return IMA;
      const r = calls.httpCall(upstream, decodePairs(headers) ?? [], body, decodePairs(trailers) ?? [], timeout | 0);
      if (typeof r === "number") return r;
      return m().writeU32(tokenPtr, r.value) ? WasmResult.Ok : IMA;
    },
    proxy_define_metric: (type, np, nl, idp) => {
      const name = str(np, nl);
      if (name === null) return IMA;
      const r = calls.metrics.define(type >>> 0, name);
      if (typeof r === "number" || r.value === null) return typeof r === "number" ? r : WasmResult.Ok;
      return u32({ value: r.value }, idp);
    },
    proxy_increment_metric: (id, offset) => calls.metrics.increment(id >>> 0, BigInt(offset)),
    proxy_record_metric: (id, value) => calls.metrics.record(id >>> 0, BigInt.asUintN(64, BigInt(value))),
    proxy_get_metric: (id, rp) => {
      const r = calls.metrics.get(id >>> 0);
      if (typeof r === "number" || r.value === null) return typeof r === "number" ? r : WasmResult.Ok;
      return m().writeU64(rp, r.value) ? WasmResult.Ok : IMA;
    },
    proxy_set_effective_context: (id) => calls.setEffectiveContext(id >>> 0),
    proxy_continue_stream: (type) => calls.continueStream(type),
    proxy_continue_request: () => calls.continueStream(0),
    proxy_continue_response: () => calls.continueStream(1),
    proxy_close_stream: (type) => calls.closeStream(type),
    proxy_get_status: (cp, rp, rs) => {
      const s = calls.getStatus();
      return m().writeU32(cp, s.code) ? out({ value: s.message }, rp, rs) : IMA;
    },
    proxy_done: () => WasmResult.NotFound, // no root context is waiting to be done
  };

  const env: Record<string, HostFn> = {};
  for (const name of names) {
    let fn: HostFn;
    if (linking.unimplemented.has(name)) fn = () => WasmResult.Unimplemented;
    else if (linking.noops.has(name)) fn = () => WasmResult.Ok;
    else if (linking.notEmulated.has(name) || !impl[name]) {
      fn = () => {
        vm.event(`${host.profile}: ${name} is not emulated, answered Unimplemented`);
        return WasmResult.Unimplemented;
      };
    } else fn = impl[name];
    env[name] = gated(name, fn, faults);
  }
  return env;
}

/** `fn` behind the fault gate: untouched while no fault is installed. */
function gated(name: string, fn: HostFn, faults: Faults): HostFn {
  return function (this: unknown) {
    // `arguments` (not a rest parameter): the common path allocates nothing.
    if (!faults.armed) return fn.apply(undefined, arguments as unknown as number[]);
    return faults.call(name, Array.from(arguments as unknown as number[]), fn);
  };
}
