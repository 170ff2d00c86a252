// The WASI preview1 subset both hosts give a proxy-wasm module (../docs/hosts.md): output, clocks, randomness,
// environment and exit. Only what the filter may import is provided, so an extra import fails to link.
import { randomFillSync } from "node:crypto";

/** Thrown by `proc_exit` (AssemblyScript's abort ends here): the host treats it as a trap. */
export class WasiExit extends Error {
  constructor(readonly code: number, readonly output: string) {
    super(`wasm exited with code ${code}${output ? `: ${output.trim()}` : ""}`);
  }
}

export interface WasiOptions {
  /** Environment variables visible to the module (`environ_get`), e.g. AWS_ACCESS_KEY_ID. */
  env?: Record<string, string>;
  /** Realtime clock in milliseconds since the epoch; defaults to Date.now(). */
  now?: () => number;
  /** Monotonic clock in nanoseconds; defaults to process.hrtime.bigint(). */
  monotonicNs?: () => bigint;
}

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const ERRNO_NOTSUP = 58;

export class Wasi {
  /** Text the module wrote to stdout/stderr (AssemblyScript writes its abort message to stderr). */
  readonly output: string[] = [];
  private memory: WebAssembly.Memory | null = null;

  constructor(private readonly options: WasiOptions = {}) {}

  /** Gives the shim the instance's memory; call right after instantiation. */
  bind(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  private view(): DataView {
    if (!this.memory) throw new Error("wasi: memory not bound");
    return new DataView(this.memory.buffer);
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory!.buffer);
  }

  private envEntries(): Buffer[] {
    return Object.entries(this.options.env ?? {}).map(([k, v]) => Buffer.from(`${k}=${v}\0`));
  }

  imports(): Record<string, (...args: number[]) => number | void> {
    const enc = (list: Buffer[], ptrs: number, buf: number): number => {
      const v = this.view();
      let at = buf;
      list.forEach((e, i) => {
        v.setUint32(ptrs + i * 4, at, true);
        this.bytes().set(e, at);
        at += e.length;
      });
      return ERRNO_SUCCESS;
    };
    const sizes = (list: Buffer[], count: number, size: number): number => {
      const v = this.view();
      v.setUint32(count, list.length, true);
      v.setUint32(size, list.reduce((n, e) => n + e.length, 0), true);
      return ERRNO_SUCCESS;
    };
    return {
      fd_write: (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
        if (fd !== 1 && fd !== 2) return ERRNO_BADF;
        const v = this.view();
        let total = 0;
        let text = "";
        for (let i = 0; i < iovsLen; i++) {
          const ptr = v.getUint32(iovs + i * 8, true);
          const len = v.getUint32(iovs + i * 8 + 4, true);
          text += Buffer.from(this.bytes().subarray(ptr, ptr + len)).toString("utf8");
          total += len;
        }
        this.output.push(text);
        v.setUint32(nwritten, total, true);
        return ERRNO_SUCCESS;
      },
      proc_exit: (code: number) => {
        throw new WasiExit(code, this.output.join(""));
      },
      clock_time_get: (id: number, _precision: bigint | number, out: number) => {
        let ns: bigint;
        if (id === 0) ns = BigInt(Math.round((this.options.now ?? Date.now)() * 1e6));
        else if (id === 1) ns = (this.options.monotonicNs ?? process.hrtime.bigint)();
        else return ERRNO_INVAL;
        this.view().setBigUint64(out, ns, true);
        return ERRNO_SUCCESS;
      },
      clock_res_get: (id: number, out: number) => {
        if (id !== 0 && id !== 1) return ERRNO_NOTSUP;
        this.view().setBigUint64(out, 1n, true); // cpp-host: 1 ns for realtime and monotonic
        return ERRNO_SUCCESS;
      },
      random_get: (buf: number, len: number) => {
        randomFillSync(this.bytes().subarray(buf, buf + len));
        return ERRNO_SUCCESS;
      },
      environ_sizes_get: (count: number, size: number) => sizes(this.envEntries(), count, size),
      environ_get: (ptrs: number, buf: number) => enc(this.envEntries(), ptrs, buf),
      args_sizes_get: (count: number, size: number) => sizes([], count, size),
      args_get: (ptrs: number, buf: number) => enc([], ptrs, buf),
      sched_yield: () => ERRNO_SUCCESS,
    };
  }
}
