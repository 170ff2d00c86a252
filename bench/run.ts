// `npm run bench`: the filter's performance figures, each comparison measured in this one process,
// interleaved, after warm-up. Prints a table and writes the same figures to build/bench.json.
// See BENCHMARKS.md for what each figure means and the latest results.
//   BENCH_QUICK=1   fewer rounds and requests (smoke run, figures are rougher)
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, platform, arch, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import aws4 from "aws4";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";
import * as asSha256 from "@chainsafe/as-sha256";
import { newInstance as asSha256Instance } from "@chainsafe/as-sha256/lib/wasm.js";
import { Wasi } from "../emulator/index.ts";
import { TRANSFORM_ARGS } from "../scripts/transforms/index.mjs";
import { compare, pairedDifference, pairedRatio, pairedShareRatio, type Summary } from "./lib/measure.ts";
import {
  AK, AMZ_DATE, API_KEY_CONFIG, CLIENT_HEADERS, FULL_IAM_CONFIG, GET, HOST, IAM_CONFIG, INVOKE_CONFIG, PATH, PROXY_IAM_CONFIG, QUERY, SK, T0,
  loadHost, measureMemory, postOf, runBodyTail, runProxied, runRequests,
} from "./lib/requests.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "build", "bench");
/** The filter measured; BENCH_FILTER=path measures another build (e.g. a prototype) the same way. */
const FILTER = process.env.BENCH_FILTER ?? join(ROOT, "build", "aws-lambda.wasm");
/** Extra asc flags for the bench modules (kernels, no-op filter), e.g. BENCH_ASC_FLAGS="--runtime minimal". */
const EXTRA_FLAGS = (process.env.BENCH_ASC_FLAGS ?? "").split(/\s+/).filter(Boolean);
const QUICK = process.env.BENCH_QUICK === "1";
const ROUNDS = QUICK ? 5 : 15;

// ---- build the bench modules with the release target's flags -----------------------------------------

function asc(entry: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules", ".bin", "asc"), [entry, "--target", "release",
      "--outFile", join(OUT, `${name}.wasm`), "--textFile", join(OUT, `${name}.wat`), ...TRANSFORM_ARGS, ...EXTRA_FLAGS], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`asc ${entry} failed (${code})`))));
  });
}

async function instantiateKernels(): Promise<any> {
  const wasi = new Wasi();
  const module = new WebAssembly.Module(readFileSync(join(OUT, "kernels.wasm")));
  const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.imports() as any });
  const exports = instance.exports as any;
  wasi.bind(exports.memory);
  exports._start();
  return exports;
}

// ---- figures -----------------------------------------------------------------------------------------

const figures: Record<string, number> = {};
const spread: Record<string, Omit<Summary, "median">> = {};
const rows: [string, string, string, string][] = [];

function record(key: string, s: Summary, label: string): void {
  figures[key] = round(s.median);
  const { median, samples, ...rest } = s;
  spread[key] = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === "rounds" || k === "batch" ? v : round(v)])) as any;
  rows.push([key, fmt(s.median), `${fmt(s.min)}–${fmt(s.max)} (IQR ${fmt(s.q1)}–${fmt(s.q3)})`, label]);
}

function recordValue(key: string, value: number, label: string): void {
  figures[key] = round(value);
  rows.push([key, fmt(value), "", label]);
}

function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  return a >= 100 ? Math.round(v * 10) / 10 : a >= 1 ? Math.round(v * 1000) / 1000 : Math.round(v * 10000) / 10000;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(3);
}

// ---- 1. SigV4 signing --------------------------------------------------------------------------------

async function benchSign(k: any): Promise<void> {
  const smithy = new SignatureV4({
    credentials: { accessKeyId: AK, secretAccessKey: SK }, region: "us-east-1", service: "execute-api",
    sha256: Hash.bind(null, "sha256"), applyChecksum: false,
  });
  const aws4Request = (date: string) => ({
    host: HOST, path: `${PATH}?${QUERY}`, method: "GET", service: "execute-api", region: "us-east-1",
    headers: { Host: HOST, ...CLIENT_HEADERS, "X-Amz-Date": date },
  });
  const smithyRequest = () => ({
    method: "GET", protocol: "https:", hostname: HOST, path: PATH, query: { name: "APISIX" },
    headers: { host: HOST, ...CLIENT_HEADERS },
  });
  const creds = { accessKeyId: AK, secretAccessKey: SK };

  // Same request, same date: the filter's signer over aws4's header set must give aws4's signature.
  k.signAllHeadersLoop(1);
  const filterSig = Buffer.from(new Uint8Array(k.memory.buffer, k.lastSignatureAscii(), 64)).toString("latin1");
  const aws4Sig = (aws4.sign(aws4Request(AMZ_DATE), creds).headers as any).Authorization.split("Signature=")[1];
  const smithySigned = await smithy.sign(smithyRequest() as any, { signingDate: new Date(T0) });
  const smithySig = String(smithySigned.headers.authorization).split("Signature=")[1];
  if (filterSig !== aws4Sig || smithySig !== aws4Sig) {
    throw new Error(`signatures differ: filter ${filterSig}, aws4 ${aws4Sig}, smithy ${smithySig}`);
  }

  const dates = Array.from({ length: 3600 }, (_, i) => new Date(T0 + i * 1000));
  const amzDates = dates.map((d) => d.toISOString().replace(/[:-]|\.\d{3}/g, ""));
  let i = 0;
  const result = await compare([
    { name: "filter", run: (n) => { k.signLoop(n); k.collect(); } },
    { name: "filter_all", run: (n) => { k.signAllHeadersLoop(n); k.collect(); } },
    { name: "aws4", run: (n) => { for (let j = 0; j < n; j++) aws4.sign(aws4Request(amzDates[i++ % 3600]), creds); } },
    { name: "smithy", run: async (n) => { for (let j = 0; j < n; j++) await smithy.sign(smithyRequest() as any, { signingDate: dates[i++ % 3600] }); } },
  ], { rounds: QUICK ? ROUNDS : 25, batchMs: 40, warmupMs: 400 });
  record("sign_us", result.get("filter")!, "filter signRequest (wasm), seed GET, filter's signed-headers policy");
  record("sign_all_headers_us", result.get("filter_all")!, "filter signWithHeaders (wasm) over aws4's 8 signed headers");
  record("sign_aws4_us", result.get("aws4")!, "aws4.sign, same request");
  record("sign_smithy_us", result.get("smithy")!, "@smithy/signature-v4 + hash-node, same request");
  record("sign_ratio_vs_aws4", pairedRatio(result.get("filter")!, result.get("aws4")!), "filter / aws4, per round then median (target ≤ 0.33)");
  record("sign_all_headers_ratio_vs_aws4", pairedRatio(result.get("filter_all")!, result.get("aws4")!), "same, like-for-like header set");
}

// ---- 2. SHA-256 of 1 MiB -----------------------------------------------------------------------------

async function benchSha256(k: any): Promise<void> {
  const MiB = 1 << 20;
  const data = new Uint8Array(MiB);
  for (let j = 0; j < MiB; j++) data[j] = (j * 2654435761) >>> 24;
  const ptr = k.inputBuffer(MiB);
  new Uint8Array(k.memory.buffer, ptr, MiB).set(data);
  const expected = createHash("sha256").update(data).digest("hex");
  const got = Buffer.from(new Uint8Array(k.memory.buffer, k.sha256Loop(1), 32)).toString("hex");
  if (got !== expected) throw new Error(`wasm SHA-256 mismatch: ${got} != ${expected}`);

  // as-sha256's published non-SIMD wasm driven directly: its input window is hashed in place, so the
  // loop measures its compression only (no JS copies); the public digest() API is measured too.
  asSha256.reinitializeInstance(false);
  if (Buffer.from(asSha256.digest(data)).toString("hex") !== expected) throw new Error("as-sha256 mismatch");
  const as = asSha256Instance(false) as any;
  const window = as.INPUT_LENGTH as number;
  const inputPtr = as.input.value as number;
  const outputPtr = as.output.value as number;
  new Uint8Array(as.memory.buffer, inputPtr, window).set(data.subarray(0, window));
  const asKernel = () => {
    as.init();
    for (let off = 0; off < MiB; off += window) as.update(inputPtr, window);
    as.final(outputPtr);
  };
  // Its SIMD build (what digest() picks by default where SIMD validates), same loop: single-message
  // hashing there is scalar too; SIMD only serves its 4-way batch API.
  const asSimd = asSha256Instance(true) as any;
  new Uint8Array(asSimd.memory.buffer, asSimd.input.value, asSimd.INPUT_LENGTH).set(data.subarray(0, asSimd.INPUT_LENGTH));
  const asSimdKernel = () => {
    asSimd.init();
    for (let off = 0; off < MiB; off += asSimd.INPUT_LENGTH) asSimd.update(asSimd.input.value, asSimd.INPUT_LENGTH);
    asSimd.final(asSimd.output.value);
  };

  const result = await compare([
    { name: "filter", run: (n) => k.sha256Loop(n) },
    { name: "node", run: (n) => { for (let j = 0; j < n; j++) createHash("sha256").update(data).digest(); } },
    { name: "as_kernel", run: (n) => { for (let j = 0; j < n; j++) asKernel(); } },
    { name: "as_digest", run: (n) => { for (let j = 0; j < n; j++) asSha256.digest(data); } },
    { name: "as_simd", run: (n) => { for (let j = 0; j < n; j++) asSimdKernel(); } },
  ], { rounds: QUICK ? ROUNDS : 25, batchMs: 60, warmupMs: 300, unit: "ms" });
  const mbs = (s: Summary): Summary => ({ ...s, samples: s.samples.map((ms) => MiB / (ms / 1000) / 1e6), median: 1 / (s.median / 1000) / 1e6 * MiB, min: 1e3 * MiB / 1e6 / s.max, max: 1e3 * MiB / 1e6 / s.min, q1: 1e3 * MiB / 1e6 / s.q3, q3: 1e3 * MiB / 1e6 / s.q1 });
  record("sha256_mb_s", mbs(result.get("filter")!), "filter SHA-256 (wasm, no SIMD), 1 MiB, MB/s = 10^6 B/s");
  record("sha256_node_mb_s", mbs(result.get("node")!), "node:crypto createHash (OpenSSL, native)");
  record("sha256_as_sha256_mb_s", mbs(result.get("as_kernel")!), "@chainsafe/as-sha256 non-SIMD wasm, update() loop on its input window");
  record("sha256_as_sha256_digest_mb_s", mbs(result.get("as_digest")!), "@chainsafe/as-sha256 digest(1 MiB) public API, non-SIMD (copies into wasm)");
  record("sha256_as_sha256_simd_build_mb_s", mbs(result.get("as_simd")!), "@chainsafe/as-sha256 SIMD build, same update() loop (single message = scalar)");
  record("sha256_ratio_vs_as_sha256", pairedRatio(result.get("filter")!, result.get("as_kernel")!, true), "filter / as-sha256 kernel speed, per round then median (target ≥ 2.0)");
}

// ---- 3./4. whole requests and configure through the host emulator ------------------------------------

async function benchRequests(k: any): Promise<void> {
  const noop = await loadHost(join(OUT, "noop-filter.wasm"), {});
  const apikey = await loadHost(FILTER, API_KEY_CONFIG);
  const iam = await loadHost(FILTER, IAM_CONFIG);
  const get = GET;
  const post = postOf(Buffer.alloc(64 * 1024, "x"));
  // GET and POST in separate groups (64 KiB bodies make JS garbage that would land in GET samples), each
  // kind of request on its own VM.
  const gets = await compare([
    { name: "apikey", run: (n) => runRequests(apikey, n, get) },
    { name: "noop", run: (n) => runRequests(noop, n, get) },
    { name: "iam", run: (n) => runRequests(iam, n, get) },
  ], { rounds: ROUNDS, batchMs: 60, warmupMs: 300 });
  const noopPost = await loadHost(join(OUT, "noop-filter.wasm"), {});
  const iamPost = await loadHost(FILTER, IAM_CONFIG);
  // Lambda Invoke API mode: the body travels inside a JSON event (base64 for binary, escaped text for JSON).
  // In the same group as the URL POST and the SHA-256 of 64 KiB, so their ratios are taken per round.
  const invoke = await loadHost(FILTER, INVOKE_CONFIG);
  const binary = { ...postOf(Buffer.alloc(64 * 1024, 7)), contentType: "application/octet-stream", invoke: true };
  const text = { ...postOf(Buffer.from(("x".repeat(63) + "\n").repeat(1024))), invoke: true };
  const posts = await compare([
    { name: "noop_post", run: (n) => runRequests(noopPost, n, post) },
    { name: "iam_post", run: (n) => runRequests(iamPost, n, post) },
    { name: "hash_64k", run: (n) => k.sha256PrefixLoop(n, 64 * 1024) },
    { name: "binary", run: (n) => runRequests(invoke, n, binary) },
    { name: "json", run: (n) => runRequests(invoke, n, text) },
  ], { rounds: ROUNDS, batchMs: 60, warmupMs: 300 });
  const result = new Map([...gets, ...posts]);
  record("request_us_noop", result.get("noop")!, "do-nothing filter (bench/wasm/noop-filter.ts): GET, callout, local reply");
  record("request_us_get_apikey", result.get("apikey")!, "filter, GET seed request, api key config (Envoy profile)");
  record("request_us_get_iam", result.get("iam")!, "filter, GET seed request, IAM (SigV4) config");
  record("request_us_noop_post64k", result.get("noop_post")!, "do-nothing filter, POST 64 KiB body");
  record("request_us_post64k_iam", result.get("iam_post")!, "filter, POST 64 KiB body, IAM (payload hashed)");
  record("request_filter_share_us_get_iam", pairedDifference(result.get("iam")!, result.get("noop")!), "request_us_get_iam − request_us_noop, per round then median");
  record("request_filter_share_us_post64k_iam", pairedDifference(result.get("iam_post")!, result.get("noop_post")!), "request_us_post64k_iam − request_us_noop_post64k, per round then median");
  record("sha256_us_64k", result.get("hash_64k")!, "filter SHA-256 (wasm kernel) of 64 KiB, same rounds as the POSTs");
  record("post64k_iam_share_vs_hash", pairedShareRatio(result.get("iam_post")!, result.get("noop_post")!, result.get("hash_64k")!), "request_filter_share_us_post64k_iam ÷ sha256_us_64k, per round then median (target ≤ 1.2)");
  record("request_us_post64k_invoke_binary", result.get("binary")!, "filter, Invoke API (function ARN), POST 64 KiB binary → base64 event, IAM");
  record("request_us_post64k_invoke_json", result.get("json")!, "filter, Invoke API, POST 64 KiB JSON text (a newline per 64 B) → escaped event, IAM");
  record("invoke_json_vs_url_post64k", pairedRatio(result.get("json")!, result.get("iam_post")!), "request_us_post64k_invoke_json ÷ request_us_post64k_iam, per round then median (target ≤ 1.3)");
  record("invoke_binary_vs_url_post64k", pairedRatio(result.get("binary")!, result.get("iam_post")!), "request_us_post64k_invoke_binary ÷ request_us_post64k_iam, per round then median (target ≤ 1.4)");

  const full = JSON.stringify(FULL_IAM_CONFIG);
  const noopRoot = noop.host.configure("{}").rootId;
  const cfg = await compare([
    { name: "filter", run: (n) => { for (let j = 0; j < n; j++) if (!iam.host.configure(full, { rootId: iam.rootId }).accepted) throw new Error("refused"); iam.host.clearLogs(); } },
    { name: "noop", run: (n) => { for (let j = 0; j < n; j++) noop.host.configure(full, { rootId: noopRoot }); } },
  ], { rounds: ROUNDS, batchMs: 40, warmupMs: 200 });
  record("configure_us", cfg.get("filter")!, "proxy_on_configure of a full IAM config (all fields, session token)");
  record("configure_us_noop", cfg.get("noop")!, "same call into the do-nothing filter (host's share)");
}

// ---- proxy mode beside callout mode -----------------------------------------------------------------

async function benchProxy(k: any): Promise<void> {
  const post = postOf(Buffer.alloc(64 * 1024, "x"));
  // The request the route's upstream would get must carry the signature AWS would compute (body included).
  const check = await loadHost(FILTER, PROXY_IAM_CONFIG);
  const sent = await check.host.request(check.rootId, { method: "POST", path: post.path, authority: "gateway.example.com", headers: Object.entries(CLIENT_HEADERS), body: post.body });
  const sentHeaders = new Map(sent.upstreamRequest?.headers ?? []);
  const oracle = await new SignatureV4({
    credentials: { accessKeyId: AK, secretAccessKey: SK }, region: "us-east-1", service: "execute-api",
    sha256: Hash.bind(null, "sha256"), applyChecksum: false,
  }).sign({
    method: "POST", protocol: "https:", hostname: HOST, path: PATH, query: { name: "APISIX" }, body: post.body,
    headers: { host: HOST, "content-type": CLIENT_HEADERS["content-type"], "x-api-key": CLIENT_HEADERS["x-api-key"] },
  } as any, { signingDate: new Date(T0) });
  if (sentHeaders.get("authorization") !== oracle.headers.authorization) {
    throw new Error(`proxied request's signature is not AWS's: ${sentHeaders.get("authorization")} != ${oracle.headers.authorization}`);
  }
  const groups = [];
  for (const req of [GET, post]) {
    // Each kind of request on its own VMs, GETs and POSTs in separate groups (as in benchRequests).
    const [callout, proxy, noop, pass] = await Promise.all([
      loadHost(FILTER, IAM_CONFIG), loadHost(FILTER, PROXY_IAM_CONFIG),
      loadHost(join(OUT, "noop-filter.wasm"), {}), loadHost(join(OUT, "pass-filter.wasm"), {}),
    ]);
    const cases = [
      { name: "callout", run: (n: number) => runRequests(callout, n, req) },
      { name: "proxy", run: (n: number) => runProxied(proxy, n, req) },
      { name: "noop", run: (n: number) => runRequests(noop, n, req) },
      { name: "pass", run: (n: number) => runProxied(pass, n, req) },
    ];
    if (req.body) cases.push({ name: "hash_64k", run: (n: number) => k.sha256PrefixLoop(n, 64 * 1024) });
    groups.push(await compare(cases, { rounds: ROUNDS, batchMs: 60, warmupMs: 300 }));
  }
  for (const [g, kind, what] of [[groups[0], "get", "GET seed request"], [groups[1], "post64k", "POST 64 KiB body"]] as const) {
    const callout = g.get("callout")!, proxy = g.get("proxy")!, noop = g.get("noop")!, pass = g.get("pass")!;
    record(`request_us_${kind}_iam_proxy`, proxy, `filter, proxy mode, ${what}, IAM: headers → body → signed in place → upstream's 200 and body through the filter`);
    record(`request_us_${kind}_iam_callout_same_rounds`, callout, `filter, callout mode, same request and config, same rounds`);
    record(`request_us_pass_${kind}`, pass, `do-nothing proxy filter (bench/wasm/pass-filter.ts): holds the headers for the body, lets all through`);
    record(`request_filter_share_us_${kind}_iam_proxy`, pairedDifference(proxy, pass), `request_us_${kind}_iam_proxy − request_us_pass_${kind}, per round then median`);
    record(`proxy_vs_callout_${kind}_iam`, pairedRatio(proxy, callout), `request_us_${kind}_iam_proxy ÷ callout mode's, per round then median`);
    record(`proxy_vs_callout_filter_share_${kind}_iam`, pairedRatio(pairedDifference(proxy, pass), pairedDifference(callout, noop)), `the filter's own share, proxy ÷ callout (each minus its do-nothing filter), per round then median`);
    if (kind === "post64k") record("post64k_iam_proxy_share_vs_hash", pairedShareRatio(proxy, pass, g.get("hash_64k")!), "request_filter_share_us_post64k_iam_proxy ÷ SHA-256 of 64 KiB, per round then median");
  }
}

// ---- body arriving in pieces: what is left after the last one -----------------------------------------

async function benchBodyTail(k: any): Promise<void> {
  const MiB = 1 << 20;
  const body = Buffer.alloc(MiB);
  for (let j = 0; j < MiB; j++) body[j] = 0x20 + ((j * 7) % 90);
  const chunks = Array.from({ length: 16 }, (_, i) => body.subarray(i * 65536, (i + 1) * 65536));
  const iam = await loadHost(FILTER, IAM_CONFIG);
  const noop = await loadHost(join(OUT, "noop-filter.wasm"), {});
  const result = await compare([
    { name: "tail", run: (n) => runBodyTail(iam, n, chunks), selfTimed: true },
    { name: "noop_tail", run: (n) => runBodyTail(noop, n, chunks), selfTimed: true },
    { name: "hash_1mib", run: (n) => k.sha256PrefixLoop(n, MiB) },
  ], { rounds: ROUNDS, batchMs: 20, warmupMs: 300 });
  record("body_tail_us_1mib", result.get("tail")!, "filter, IAM, POST 1 MiB in 16 chunks of 64 KiB (Envoy): last proxy_on_request_body → callout dispatched");
  record("body_tail_us_1mib_noop", result.get("noop_tail")!, "same for the do-nothing filter (the host's buffering and copies: reads 1 MiB, calls out with it)");
  record("sha256_us_1mib", result.get("hash_1mib")!, "filter SHA-256 (wasm kernel) of 1 MiB, same rounds");
  record("body_tail_share_1mib", pairedRatio(result.get("tail")!, result.get("hash_1mib")!), "body_tail_us_1mib ÷ sha256_us_1mib, per round then median (target ≤ 0.15)");
  record("body_tail_filter_share_1mib", pairedShareRatio(result.get("tail")!, result.get("noop_tail")!, result.get("hash_1mib")!), "(body_tail_us_1mib − body_tail_us_1mib_noop) ÷ sha256_us_1mib: the filter's own part, per round then median");
}

// ---- 5. memory ---------------------------------------------------------------------------------------

async function benchMemory(): Promise<void> {
  const total = QUICK ? 20_000 : 100_000;
  const m = await measureMemory(FILTER, total);
  recordValue("memory_growth_pages", m.growthPages, `linear memory after ${total / 1000}k IAM requests (1 KiB bodies) − after the first 1k (target 0)`);
  recordValue("memory_after_1k_bytes", m.after1kBytes, "linear memory after the first 1k requests");
  recordValue("peak_bytes_per_inflight", m.perInflightBytes, "(memory with 1000 callouts pending − before) / 1000 − 1 KiB body (target ≤ 16384)");
  recordValue("inflight_wave_growth_pages", m.waveGrowthPages, "peak of the 5th wave of 1000 in flight − peak of the 2nd (leak check under concurrency, expect 0)");
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(OUT, { recursive: true });
  await Promise.all([asc("bench/wasm/kernels.ts", "kernels"), asc("bench/wasm/noop-filter.ts", "noop-filter"), asc("bench/wasm/pass-filter.ts", "pass-filter")]);
  const k = await instantiateKernels();
  const cpu = cpus();
  const machine = { cpu: cpu[0]?.model ?? "unknown", cores: cpu.length, platform: `${platform()} ${arch()}`, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node}${QUICK ? " (BENCH_QUICK)" : ""}`);

  await benchSign(k);
  await benchSha256(k);
  await benchRequests(k);
  await benchProxy(k);
  await benchBodyTail(k);
  await benchMemory();
  recordValue("wasm_bytes", statSync(FILTER).size, "size of build/aws-lambda.wasm (target ≤ 98304)");

  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), Math.max(...rows.map((r) => r[2].length))];
  console.log(`\n${"figure".padEnd(w[0])}  ${"median".padStart(w[1])}  ${"spread: min–max (IQR)".padEnd(w[2])}  what`);
  for (const [key, med, spr, label] of rows) console.log(`${key.padEnd(w[0])}  ${med.padStart(w[1])}  ${spr.padEnd(w[2])}  ${label}`);
  const out = {
    ...figures,
    machine,
    node: process.version,
    command: "npm run bench",
    quick: QUICK,
    rounds: ROUNDS,
    date: new Date().toISOString(),
    duration_s: Math.round((performance.now() - started) / 100) / 10,
    spread,
  };
  writeFileSync(join(ROOT, "build", "bench.json"), JSON.stringify(out, null, 2) + "\n");
  console.log(`\nwrote build/bench.json (${out.duration_s} s)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
