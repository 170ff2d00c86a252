// Envoy's custom metrics (Context::defineMetric/incrementMetric/recordMetric/getMetric): ids carry
// the type in their two low bits (counter 0, gauge 1, histogram 2) and grow by 4. APISIX answers Ok
// and does nothing (hosts/apisix/calls.ts), so this registry only fills on Envoy.
import { WasmResult } from "./enums.ts";
import type { Metric } from "./types.ts";

const TYPES = ["counter", "gauge", "histogram"] as const;
const TYPE_MASK = 0x3;
const ID_INCREMENT = 4;

interface Entry extends Metric {
  name: string;
}

export class MetricRegistry {
  private readonly byId = new Map<number, Entry>();
  private readonly next = [0, 1, 2];

  /** proxy_define_metric: same name and type → same id (Envoy gives a new id for the same stat). */
  define(type: number, name: string): { id: number } | WasmResult {
    if (type < 0 || type > 2) return WasmResult.BadArgument;
    for (const [id, e] of this.byId) if (e.name === name && e.type === TYPES[type]) return { id };
    const id = (this.next[type] += ID_INCREMENT);
    this.byId.set(id, { name, type: TYPES[type], value: 0, ...(type === 2 ? { samples: [] } : {}) });
    return { id };
  }

  /** proxy_increment_metric: counters only go up; gauges add or subtract; histograms refuse. */
  increment(id: number, offset: bigint): WasmResult {
    const e = this.byId.get(id);
    const type = id & TYPE_MASK;
    if (type === 2 || type === 3) return WasmResult.BadArgument;
    if (!e) return WasmResult.NotFound;
    if (e.type === "counter" && offset <= 0n) return WasmResult.BadArgument;
    e.value += Number(offset);
    return WasmResult.Ok;
  }

  /** proxy_record_metric: counter add, gauge set, histogram sample. */
  record(id: number, value: bigint): WasmResult {
    const e = this.byId.get(id);
    if (!e) return WasmResult.NotFound;
    if (e.type === "counter") e.value += Number(value);
    else if (e.type === "gauge") e.value = Number(value);
    else {
      e.samples!.push(Number(value));
      e.value = e.samples!.length;
    }
    return WasmResult.Ok;
  }

  /** proxy_get_metric: counters and gauges only. */
  get(id: number): { value: bigint } | WasmResult {
    const type = id & TYPE_MASK;
    if (type >= 2) return WasmResult.BadArgument;
    const e = this.byId.get(id);
    return e ? { value: BigInt(Math.trunc(e.value)) } : WasmResult.NotFound;
  }

  /** Snapshot by name. */
  snapshot(): Map<string, Metric> {
    const out = new Map<string, Metric>();
    for (const e of this.byId.values()) {
      out.set(e.name, { type: e.type, value: e.value, ...(e.samples ? { samples: [...e.samples] } : {}) });
    }
    return out;
  }
}
