// WASI clocks and environment without the shim's throwing wrappers: a failing host call yields a
// neutral value instead of aborting the VM.
import { wasi_clock_time_get, wasi_environ_get, wasi_environ_sizes_get, wasi_random_get } from "./imports";

const REALTIME: u32 = 0;
const MONOTONIC: u32 = 1;
const timeOut = memory.data(8);

/** Wall-clock milliseconds since the Unix epoch (0 if the host refuses). */
export function realtimeMillis(): i64 {
  if (wasi_clock_time_get(REALTIME, 1000, timeOut) != 0) return 0;
  return <i64>(load<u64>(timeOut) / 1_000_000);
}

/** Monotonic nanoseconds, for measuring durations (0 if the host refuses). */
export function monotonicNanos(): u64 {
  if (wasi_clock_time_get(MONOTONIC, 1000, timeOut) != 0) return 0;
  return load<u64>(timeOut);
}

const sizesOut = memory.data(8);

/** The VM's environment (Envoy: vm_config.environment_variables; APISIX: the process's). */
export function environment(): Map<string, string> {
  const env = new Map<string, string>();
  if (wasi_environ_sizes_get(sizesOut, sizesOut + 4) != 0) return env;
  const count = <usize>load<u32>(sizesOut);
  const dataSize = <usize>load<u32>(sizesOut, 4);
  if (count > 65536 || dataSize > (16 << 20)) return env;
  const pointers = new ArrayBuffer(<i32>(count * 4));
  const data = new ArrayBuffer(<i32>dataSize);
  const dataStart = changetype<usize>(data);
  if (wasi_environ_get(changetype<usize>(pointers), dataStart) != 0) return env;
  for (let i: usize = 0; i < count; i++) {
    const entry = <usize>load<u32>(changetype<usize>(pointers) + i * 4);
    if (entry < dataStart || entry >= dataStart + dataSize) continue;
    // Entries are NUL-terminated; never read past the buffer the host filled.
    const text = String.UTF8.decodeUnsafe(entry, dataStart + dataSize - entry, true);
    const eq = text.indexOf("=");
    if (eq > 0) env.set(text.substring(0, eq), text.substring(eq + 1));
  }
  return env;
}

const randomOut = memory.data(4);

/** 32 random bits from the host (for weighted choices, not secrets); clock bits if the host refuses. */
export function randomU32(): u32 {
  if (wasi_random_get(randomOut, 4) == 0) return load<u32>(randomOut);
  return <u32>(monotonicNanos() * 2654435761);
}
