// Wasm self time from a .cpuprofile, by function and by source module, in µs per operation.
// Usage: node bench/tools/cpuprofile-wasm.mjs file.cpuprofile module.wasm ops
import { readFileSync } from "node:fs";
const [file, wasm, ops] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const prof = JSON.parse(readFileSync(file, "utf8"));
const wat = readFileSync(wasm.replace(/\.wasm$/, ".wat"), "utf8");
const imports = [...wat.matchAll(/^ \(import "[^"]+" "[^"]+" \(func/gm)].length;
const names = [...wat.matchAll(/^ \(func (\S+)/gm)].map((m) => m[1]);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0, wasmTotal = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const d = prof.timeDeltas[i] ?? 0;
  total += d;
  const n = byId.get(prof.samples[i]);
  const m = n.callFrame.functionName.match(/^wasm-function\[(\d+)\]$/);
  if (!m) continue;
  wasmTotal += d;
  const name = names[Number(m[1]) - imports] ?? n.callFrame.functionName;
  self.set(name, (self.get(name) ?? 0) + d);
}
const us = (t) => (t / ops).toFixed(2).padStart(7);
console.log(`profile ${(total / 1000).toFixed(0)} ms over ${ops} ops: ${us(total)} us/op total, wasm ${us(wasmTotal)} us/op`);
const groups = new Map();
for (const [k, v] of self) {
  const g = k.startsWith("$~lib/rt") ? "runtime (alloc/GC)" : k.startsWith("$~lib") ? "std lib" : (k.match(/^\$"?assembly\/([^/]+)/)?.[1] ?? k);
  groups.set(g, (groups.get(g) ?? 0) + v);
}
console.log("by area:");
for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${us(v)}  ${k}`);
console.log("top functions:");
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25))) console.log(`${us(v)}  ${k}`);
