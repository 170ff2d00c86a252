// Access to the module's linear memory: reading arguments and handing data to the module through
// its own allocator, as hosts do (allocate, copy, then write ptr/size to the return pointers).
import { WasmResult } from "./enums.ts";
import type { Faults } from "./faults.ts";

/** Allocates `size` bytes inside the module; 0 means failure. */
export type Allocator = (size: number) => number;

export class GuestMemory {
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly allocate: Allocator,
    /** WasmResult a failed allocation turns into (Envoy: InvalidMemoryAccess, APISIX: InternalFailure). */
    private readonly allocFailure: WasmResult,
    /** APISIX leaves the pointer untouched for empty data; Envoy writes 0. */
    private readonly writePtrWhenEmpty: boolean,
    private readonly faults: Faults,
  ) {}

  /** Current size of linear memory in bytes. */
  get size(): number {
    return this.memory.buffer.byteLength;
  }

  private inBounds(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.memory.buffer.byteLength;
  }

  /** Copies `len` bytes at `ptr`, or null when out of bounds. */
  read(ptr: number, len: number): Buffer | null {
    ptr >>>= 0;
    len >>>= 0;
    if (!this.inBounds(ptr, len)) return null;
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  /** UTF-8 string at ptr/len, or null when out of bounds. */
  readString(ptr: number, len: number): string | null {
    return this.read(ptr, len)?.toString("utf8") ?? null;
  }

  /** Writes a little-endian u32; false when out of bounds. */
  writeU32(ptr: number, value: number): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return false;
    new DataView(this.memory.buffer).setUint32(ptr, value >>> 0, true);
    return true;
  }

  /** Writes a little-endian u64; false when out of bounds. */
  writeU64(ptr: number, value: bigint): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return false;
    new DataView(this.memory.buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  /** Copies `data` into a fresh allocation and writes its ptr/size to the two return pointers. */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): WasmResult {
    if (this.faults.armed) {
      const injected = this.faults.copy(data);
      if (injected !== undefined) return injected;
    }
    if (data.length === 0) {
      if (this.writePtrWhenEmpty && !this.writeU32(ptrPtr, 0)) return WasmResult.InvalidMemoryAccess;
      return this.writeU32(sizePtr, 0) ? WasmResult.Ok : WasmResult.InvalidMemoryAccess;
    }
    const ptr = this.allocate(data.length) >>> 0;
    if (ptr === 0) return this.allocFailure;
    if (!this.inBounds(ptr, data.length)) return WasmResult.InvalidMemoryAccess;
    // The allocator may have grown memory: take a fresh view.
    new Uint8Array(this.memory.buffer).set(data, ptr);
    if (!this.writeU32(ptrPtr, ptr) || !this.writeU32(sizePtr, data.length)) return WasmResult.InvalidMemoryAccess;
    return WasmResult.Ok;
  }
}
