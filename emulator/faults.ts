// Fault injection: a named env.proxy_* function that answers a chosen WasmResult instead of doing its
// work, or whose data cannot be handed to the module (as when the module's allocator refuses), each
// optionally only when a predicate on the call's arguments holds. abi.ts consults it on every host call.
import type { WasmResult } from "./enums.ts";

/** The result a fault answers: fixed, or chosen per call. */
export type FaultResult = WasmResult | ((args: readonly number[]) => WasmResult);

interface Fault {
  result: FaultResult;
  when: (args: readonly number[], data: Buffer) => boolean;
}

const EMPTY_DATA = Buffer.alloc(0);

export class Faults {
  /** True while any fault is installed (the host calls' fast path skips everything else). */
  armed = false;
  private readonly atCall = new Map<string, Fault[]>();
  private readonly atCopy = new Map<string, Fault[]>();
  /** The host call running now, for faults in its copy into the module. */
  private current: { name: string; args: readonly number[] } | null = null;

  constructor(private readonly linked: Set<string>) {}

  /** Installs a fault on `name` (before its work, or on its copy into the module); returns its removal. */
  add(stage: "call" | "copy", name: string, result: FaultResult, when: Fault["when"]): () => void {
    if (!this.linked.has(name)) throw new Error(`fault injection: "${name}" is not a host function this host links`);
    const table = stage === "call" ? this.atCall : this.atCopy;
    const fault: Fault = { result, when };
    table.set(name, [...(table.get(name) ?? []), fault]);
    this.armed = true;
    return () => {
      const left = (table.get(name) ?? []).filter((f) => f !== fault);
      if (left.length > 0) table.set(name, left);
      else table.delete(name);
      this.armed = this.atCall.size > 0 || this.atCopy.size > 0;
    };
  }

  /** Runs host call `name`, unless a fault answers for it. */
  call(name: string, args: readonly number[], run: (...args: number[]) => number): number {
    const answer = this.first(this.atCall.get(name), args, EMPTY_DATA);
    if (answer !== undefined) return answer;
    const outer = this.current;
    this.current = { name, args };
    try {
      return run(...args);
    } finally {
      this.current = outer;
    }
  }

  /** The result a copy of `data` into the module fails with, if a fault applies to the running call. */
  copy(data: Uint8Array): WasmResult | undefined {
    const now = this.current;
    if (!now) return undefined;
    return this.first(this.atCopy.get(now.name), now.args, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  private first(faults: Fault[] | undefined, args: readonly number[], data: Buffer): WasmResult | undefined {
    if (!faults) return undefined;
    for (const f of faults) {
      if (f.when(args, data)) return typeof f.result === "function" ? f.result(args) : f.result;
    }
    return undefined;
  }
}
