// Compares filter builds side by side (same process, interleaved), e.g. a prototype against the release:
//   node --import tsx bench/tools/compare-filters.ts base=build/aws-lambda.wasm proto=/tmp/proto/min.wasm
// Prints request_us (GET api key, GET IAM, POST 64 KiB IAM; both IAM ones in proxy mode too), configure_us, memory figures and size per build.
import { statSync } from "node:fs";
import { compare } from "../lib/measure.ts";
import { API_KEY_CONFIG, FULL_IAM_CONFIG, GET, IAM_CONFIG, loadHost, measureMemory, postOf, PROXY_IAM_CONFIG, runProxied, runRequests } from "../lib/requests.ts";

const builds = process.argv.slice(2).map((a) => { const [name, path] = a.split("="); return { name, path }; });
const rounds = Number(process.env.ROUNDS ?? 11);
const post = postOf(Buffer.alloc(64 * 1024, "x"));
const cases = [];
const full = JSON.stringify(FULL_IAM_CONFIG);
for (const b of builds) {
  const apikey = await loadHost(b.path, API_KEY_CONFIG);
  const iam = await loadHost(b.path, IAM_CONFIG);
  cases.push({ name: `${b.name} get_apikey`, run: (n: number) => runRequests(apikey, n, GET) });
  cases.push({ name: `${b.name} get_iam`, run: (n: number) => runRequests(iam, n, GET) });
  cases.push({ name: `${b.name} post64k_iam`, run: (n: number) => runRequests(iam, n, post) });
  const proxy = await loadHost(b.path, PROXY_IAM_CONFIG);
  cases.push({ name: `${b.name} get_iam_proxy`, run: (n: number) => runProxied(proxy, n, GET) });
  cases.push({ name: `${b.name} post64k_iam_proxy`, run: (n: number) => runProxied(proxy, n, post) });
  cases.push({ name: `${b.name} configure`, run: (n: number) => { for (let j = 0; j < n; j++) iam.host.configure(full, { rootId: iam.rootId }); iam.host.clearLogs(); } });
}
// Group by figure so each figure's builds are adjacent in the interleaving.
cases.sort((a, b) => a.name.split(" ")[1].localeCompare(b.name.split(" ")[1]));
const result = await compare(cases, { rounds, batchMs: 60, warmupMs: 200 });
for (const [name, s] of result) console.log(`${name.padEnd(28)} ${s.median.toFixed(2).padStart(9)} us  (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`);
for (const b of builds) {
  const m = await measureMemory(b.path, Number(process.env.TOTAL ?? 20000));
  console.log(`${b.name.padEnd(12)} wasm_bytes ${statSync(b.path).size}  growth_pages ${m.growthPages}  after1k ${m.after1kBytes}  per_inflight ${m.perInflightBytes.toFixed(0)}  wave_growth ${m.waveGrowthPages}`);
}
