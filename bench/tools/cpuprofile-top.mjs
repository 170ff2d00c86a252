// Summarizes a .cpuprofile by self time; wasm functions are named from the module's .wat (function order).
// Usage: node bench/tools/cpuprofile-top.mjs file.cpuprofile [wasm-with-wat ...]
import { readFileSync, existsSync } from "node:fs";
const prof = JSON.parse(readFileSync(process.argv[2], "utf8"));
const watNames = [];
for (const wasm of process.argv.slice(3)) {
  const wat = readFileSync(wasm.replace(/\.wasm$/, ".wat"), "utf8");
  const imports = [...wat.matchAll(/^ \(import "[^"]+" "[^"]+" \(func/gm)].length;
  const names = [...wat.matchAll(/^ \(func (\S+)/gm)].map((m) => m[1]);
  watNames.push({ imports, names });
}
const dt = new Map();
const ids = prof.nodes.map((n) => n.id);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  const d = prof.timeDeltas[i] ?? 0;
  counts.set(prof.samples[i], (counts.get(prof.samples[i]) ?? 0) + d);
}
const self = new Map();
let total = 0;
for (const [id, t] of counts) {
  const n = byId.get(id);
  let name = n.callFrame.functionName || "(anon)";
  const m = name.match(/^(?:\$?wasm-function|js-to-wasm|)\[?(\d+)\]?$/) || name.match(/^\$?(\d+)$/);
  if (n.callFrame.url?.startsWith("wasm://") || /wasm-function/.test(name)) {
    const idx = Number((name.match(/(\d+)/) || [])[1]);
    const w = watNames[0];
    if (w && Number.isFinite(idx) && w.names[idx - w.imports]) name = "wasm " + w.names[idx - w.imports];
    else name = "wasm " + name;
  } else {
    const url = (n.callFrame.url || "").replace(/^.*\/(node_modules|host-tests|bench)\//, "$1/");
    name = `${name} ${url}:${n.callFrame.lineNumber + 1}`;
  }
  self.set(name, (self.get(name) ?? 0) + t);
  total += t;
}
const rows = [...self].sort((a, b) => b[1] - a[1]);
let wasmTotal = 0;
for (const [k, v] of rows) if (k.startsWith("wasm ")) wasmTotal += v;
console.log(`total ${(total / 1000).toFixed(0)} ms; wasm self ${(100 * wasmTotal / total).toFixed(1)}%`);
for (const [k, v] of rows.slice(0, Number(process.env.TOP ?? 45))) console.log(`${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`);
