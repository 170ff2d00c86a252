// Per-function code size of a wasm module (bytes in the code section), named from the matching .wat
// (same function order), plus section totals. Usage: node bench/tools/wasm-sizes.mjs build/aws-lambda.wasm [top]
import { readFileSync, existsSync } from "node:fs";

export function wasmSizes(wasmPath) {
  const buf = readFileSync(wasmPath);
  let p = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = buf[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const sections = {};
  let funcs = [];
  const names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const start = p;
    const name = names[id] ?? `s${id}`;
    sections[name] = (sections[name] ?? 0) + size;
    if (id === 10) {
      const n = leb();
      for (let i = 0; i < n; i++) { const sz = leb(); funcs.push(sz); p += sz; }
    }
    p = start + size;
  }
  const watPath = wasmPath.replace(/\.wasm$/, ".wat");
  let fnames = [];
  if (existsSync(watPath)) {
    const wat = readFileSync(watPath, "utf8");
    fnames = [...wat.matchAll(/^ \(func (\S+)/gm)].map((m) => m[1]);
  }
  const rows = funcs.map((size, i) => ({ name: fnames.length === funcs.length ? fnames[i] : `#${i}`, size }));
  return { total: buf.length, sections, functions: rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { total, sections, functions } = wasmSizes(process.argv[2] ?? "build/aws-lambda.wasm");
  console.log("total", total, JSON.stringify(sections));
  const top = Number(process.argv[3] ?? 40);
  const sorted = [...functions].sort((a, b) => b.size - a.size);
  // Group by module prefix too.
  const groups = new Map();
  for (const f of functions) {
    const m = f.name.match(/^\$"?([^/]*\/[^/]*(?:\/[^/]*)?)\//);
    const key = m ? m[1] : f.name.split("/")[0];
    groups.set(key, (groups.get(key) ?? 0) + f.size);
  }
  console.log("functions", functions.length);
  for (const f of sorted.slice(0, top)) console.log(String(f.size).padStart(7), f.name);
  console.log("-- by module");
  for (const [k, v] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(String(v).padStart(7), k);
}
