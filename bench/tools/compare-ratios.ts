// The request ratios of `npm run bench` (post64k_iam_share_vs_hash, invoke_json_vs_url_post64k,
// invoke_binary_vs_url_post64k, body_tail_share_1mib) for several filter builds, all cases interleaved in
// one process, so builds are compared under the same load:
//   node --import tsx bench/tools/compare-ratios.ts before=/tmp/main.wasm after=build/aws-lambda.wasm
// Needs build/bench/{kernels,noop-filter}.wasm (npm run bench builds them). ROUNDS (default 21).
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Wasi } from "../../emulator/index.ts";
import { compare, pairedRatio, pairedShareRatio, type Case } from "../lib/measure.ts";
import { IAM_CONFIG, INVOKE_CONFIG, loadHost, postOf, runBodyTail, runRequests } from "../lib/requests.ts";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "build", "bench");
const builds = process.argv.slice(2).map((a) => { const [name, path] = a.split("="); return { name, path }; });
const rounds = Number(process.env.ROUNDS ?? 21);
const MiB = 1 << 20;

const wasi = new Wasi();
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(OUT, "kernels.wasm"))), { wasi_snapshot_preview1: wasi.imports() as any }).exports as any;
wasi.bind(k.memory);
k._start();
const at = k.inputBuffer(MiB);
const input = new Uint8Array(k.memory.buffer, at, MiB);
for (let j = 0; j < MiB; j++) input[j] = 0x20 + ((j * 7) % 90);

const post = postOf(Buffer.alloc(64 * 1024, "x"));
const binary = { ...postOf(Buffer.alloc(64 * 1024, 7)), contentType: "application/octet-stream", invoke: true };
const text = { ...postOf(Buffer.from(("x".repeat(63) + "\n").repeat(1024))), invoke: true };
const big = Buffer.from(input);
const chunks = Array.from({ length: 16 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));

const noop = await loadHost(join(OUT, "noop-filter.wasm"), {});
const cases: Case[] = [
  { name: "noop_post", run: (n) => runRequests(noop, n, post) },
  { name: "hash_64k", run: (n) => k.sha256PrefixLoop(n, 64 * 1024) },
  { name: "hash_1mib", run: (n) => k.sha256PrefixLoop(n, MiB) },
];
for (const b of builds) {
  const iam = await loadHost(b.path, IAM_CONFIG);
  const invoke = await loadHost(b.path, INVOKE_CONFIG);
  cases.push({ name: `${b.name} url`, run: (n) => runRequests(iam, n, post) });
  cases.push({ name: `${b.name} json`, run: (n) => runRequests(invoke, n, text) });
  cases.push({ name: `${b.name} binary`, run: (n) => runRequests(invoke, n, binary) });
  cases.push({ name: `${b.name} tail`, run: (n) => runBodyTail(iam, n, chunks), selfTimed: true });
}
const r = await compare(cases, { rounds, batchMs: 40, warmupMs: 200 });
const fmt = (s: { median: number; q1: number; q3: number }) => `${s.median.toFixed(3)} (IQR ${s.q1.toFixed(3)}–${s.q3.toFixed(3)})`;
for (const b of builds) {
  const url = r.get(`${b.name} url`)!;
  console.log(`${b.name.padEnd(10)} post64k_iam_share_vs_hash ${fmt(pairedShareRatio(url, r.get("noop_post")!, r.get("hash_64k")!))}`
    + `  invoke_json_vs_url_post64k ${fmt(pairedRatio(r.get(`${b.name} json`)!, url))}`
    + `  invoke_binary_vs_url_post64k ${fmt(pairedRatio(r.get(`${b.name} binary`)!, url))}`
    + `  body_tail_share_1mib ${fmt(pairedRatio(r.get(`${b.name} tail`)!, r.get("hash_1mib")!))}`);
  console.log(`${"".padEnd(10)} request_us_post64k_iam ${url.median.toFixed(1)}  invoke_json ${r.get(`${b.name} json`)!.median.toFixed(1)}`
    + `  invoke_binary ${r.get(`${b.name} binary`)!.median.toFixed(1)}  body_tail_us_1mib ${r.get(`${b.name} tail`)!.median.toFixed(1)}`);
}
console.log(`noop_post ${r.get("noop_post")!.median.toFixed(1)} us, sha256 64 KiB ${r.get("hash_64k")!.median.toFixed(1)} us, 1 MiB ${r.get("hash_1mib")!.median.toFixed(1)} us`);
