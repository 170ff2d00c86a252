// Prints build/bench.json as the Markdown table used in BENCHMARKS.md: node bench/tools/markdown-table.mjs
import { readFileSync } from "node:fs";
const j = JSON.parse(readFileSync(process.argv[2] ?? "build/bench.json", "utf8"));
const skip = new Set(["machine", "node", "command", "quick", "rounds", "date", "duration_s", "spread"]);
const fmt = (v) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 10 ? v.toFixed(2) : v.toFixed(3));
console.log(`Machine: ${j.machine.cpu}, ${j.machine.cores} cores, ${j.machine.platform}, Node ${j.node}; ${j.date}; ${j.duration_s} s.\n`);
console.log("| figure | median | min – max | IQR |");
console.log("|---|---:|---|---|");
for (const [k, v] of Object.entries(j)) {
  if (skip.has(k)) continue;
  const s = j.spread[k];
  console.log(`| \`${k}\` | ${fmt(v)} | ${s ? `${fmt(s.min)} – ${fmt(s.max)}` : ""} | ${s ? `${fmt(s.q1)} – ${fmt(s.q3)}` : ""} |`);
}
