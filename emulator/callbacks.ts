// Running one module export as a host callback: the frame host calls see while it runs, the actions
// deferred until it returns, and a trap that fails the VM for good.
import { WasmTrap, type Frame, type VmState } from "./vm-state.ts";

/** The frame fields a callback is started with; the rest take their defaults. */
export type FrameStart = Partial<Frame> & { contextId: number };

export class Callbacks {
  private exports: Record<string, unknown> = {};

  constructor(private readonly vm: VmState) {}

  /** The instance's exports, once instantiated. */
  bind(exports: Record<string, unknown>): void {
    this.exports = exports;
  }

  /**
   * Runs export `name` as a callback. Throws WasmTrap after failing the VM if it traps. Returns the raw
   * i32 result (signed), `fallback` when the export is missing, and the frame used.
   */
  invoke(name: string, args: number[], frame: FrameStart, fallback = 0): { result: number; frame: Frame } {
    const full: Frame = { callback: name, requestId: 0, effectiveId: null, deferred: [], stopNext: false, ...frame };
    if (this.vm.failed) throw new WasmTrap(`VM already failed: ${this.vm.trap?.message}`);
    const fn = this.exports[name];
    if (typeof fn !== "function") return { result: fallback, frame: full };
    const previous = this.vm.frame;
    this.vm.frame = full;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (err) {
      this.markFailed(err instanceof Error ? err : new Error(String(err)), name);
      throw new WasmTrap(this.vm.trap!.message);
    } finally {
      this.vm.frame = previous;
    }
    for (const action of full.deferred) action();
    return { result: typeof result === "number" ? result : 0, frame: full };
  }

  /** Runs export `name`; its result, or null when it trapped (the VM is then failed). */
  tryInvoke(name: string, args: number[], frame: FrameStart, fallback = 0): number | null {
    try {
      return this.invoke(name, args, frame, fallback).result;
    } catch (err) {
      if (err instanceof WasmTrap) return null;
      throw err;
    }
  }

  /** Marks the VM failed (a trap, or a crash of the host's worker). */
  markFailed(error: Error, where: string): void {
    if (this.vm.failed) return;
    this.vm.failed = true;
    this.vm.trap = error;
    this.vm.event(`VM failed in ${where}: ${error.message}`);
  }
}
