// Profiling driver for the wasm kernels (build/bench/kernels.wasm, built by npm run bench):
//   node --cpu-prof --cpu-prof-dir=build/prof bench/tools/profile-kernels.mjs [sign|signall|sha] [n]
import { readFileSync } from "node:fs";
const kind = process.argv[2] ?? "sign";
const n = Number(process.argv[3] ?? 200000);
const wasmPath = process.env.KERNELS ?? "build/bench/kernels.wasm";
const module = new WebAssembly.Module(readFileSync(wasmPath));
let memory;
const wasi = {
  proc_exit: (c) => { throw new Error("exit " + c); },
  fd_write: () => 0, clock_time_get: (id, p, ptr) => { new DataView(memory.buffer).setBigUint64(ptr, 0n, true); return 0; },
  random_get: () => 0, environ_get: () => 0, environ_sizes_get: (a, b) => { const v = new DataView(memory.buffer); v.setUint32(a, 0, true); v.setUint32(b, 0, true); return 0; },
  args_get: () => 0, args_sizes_get: (a, b) => { const v = new DataView(memory.buffer); v.setUint32(a, 0, true); v.setUint32(b, 0, true); return 0; },
};
const k = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi }).exports;
memory = k.memory;
k._start();
const t0 = performance.now();
if (kind === "sha") {
  k.inputBuffer(1 << 20);
  for (let i = 0; i < n; i += 1) k.sha256Loop(1);
} else {
  const step = 1000;
  for (let i = 0; i < n; i += step) { kind === "sign" ? k.signLoop(step) : k.signAllHeadersLoop(step); k.collect(); }
}
const dt = performance.now() - t0;
console.log(kind, (dt * 1000 / n).toFixed(3), "us/op", kind === "sha" ? ((n * 1048576) / (dt / 1000) / 1e6).toFixed(1) + " MB/s" : "");
