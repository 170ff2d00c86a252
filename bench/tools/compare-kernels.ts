// Compares builds of bench/wasm/kernels.ts (e.g. different asc flags) interleaved in one process:
//   node --import tsx bench/tools/compare-kernels.ts a=build/bench/kernels.wasm b=/tmp/k-s2.wasm
// Prints sign_us (filter policy), sign_all_headers_us and sha256_mb_s (1 MiB) per build.
import { readFileSync } from "node:fs";
import { Wasi } from "../../emulator/index.ts";
import { compare, pairedRatio } from "../lib/measure.ts";

const builds = process.argv.slice(2).map((a) => { const [name, path] = a.split("="); return { name, path }; });
const MiB = 1 << 20;
const cases = [];
for (const b of builds) {
  const wasi = new Wasi();
  const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(b.path)), { wasi_snapshot_preview1: wasi.imports() as any }).exports as any;
  wasi.bind(k.memory);
  k._start();
  k.inputBuffer(MiB);
  cases.push({ name: `sign ${b.name}`, run: (n: number) => { k.signLoop(n); k.collect(); } });
  cases.push({ name: `sign_all ${b.name}`, run: (n: number) => { k.signAllHeadersLoop(n); k.collect(); } });
  cases.push({ name: `sha ${b.name}`, run: (n: number) => k.sha256Loop(n) });
}
cases.sort((a, b) => a.name.split(" ")[0].localeCompare(b.name.split(" ")[0]));
const r = await compare(cases, { rounds: Number(process.env.ROUNDS ?? 15), batchMs: 40, warmupMs: 200 });
const first = builds[0]?.name;
for (const [name, s] of r) {
  const [kind] = name.split(" ");
  const base = r.get(`${kind} ${first}`)!;
  const paired = pairedRatio(s, base).median; // time ratio vs the first build, per round
  if (name.startsWith("sha")) console.log(`${name.padEnd(20)} ${(MiB / s.median).toFixed(1).padStart(8)} MB/s (min ${(MiB / s.max).toFixed(1)}, max ${(MiB / s.min).toFixed(1)})  time vs ${first}: ${paired.toFixed(3)}`);
  else console.log(`${name.padEnd(20)} ${s.median.toFixed(3).padStart(8)} us   (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)})  time vs ${first}: ${paired.toFixed(3)}`);
}
