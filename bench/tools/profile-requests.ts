// Profiling driver (not part of npm run bench): runs many requests of one kind through the emulator so
// `node --cpu-prof` shows where the time goes. Usage:
//   node --cpu-prof --cpu-prof-dir=build/prof --import tsx bench/tools/profile-requests.ts [iam|apikey|noop|post64k|noop-post64k|invoke-json|invoke-binary|configure] [count] [wasm]
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Host } from "../../emulator/index.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const kind = process.argv[2] ?? "iam";
const count = Number(process.argv[3] ?? 50000);
const noop = kind.startsWith("noop");
const wasm = process.argv[4] ?? (noop ? join(ROOT, "build", "bench", "noop-filter.wasm") : join(ROOT, "build", "aws-lambda.wasm"));
const HOST = "x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
const uri = `https://${HOST}/default/test-apisix`;
const iam = { accesskey: "AKIDEXAMPLE", secretkey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const invoke = kind.startsWith("invoke");
const config = kind === "apikey" ? { function_uri: uri, path_prefix: "/aws", authorization: { apikey: "k" } }
  : invoke ? { function_uri: "arn:aws:lambda:us-east-1:123456789012:function:f", path_prefix: "/aws", authorization: { iam: { ...iam, service: "lambda" } } }
  : { function_uri: uri, path_prefix: "/aws", authorization: { iam } };
const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: true, wasm, callouts: "capture" });
const { rootId } = host.configure(config);
const headers: [string, string][] = [["user-agent", "curl/8.5.0"], ["accept", "*/*"], ["x-forwarded-for", "203.0.113.7"],
  ["x-request-id", "0f3c1a52-6d0e-4b7e-9c77-3f1f5e2a8b41"], ["content-type", "application/json"], ["x-api-key", "x"], ["accept-encoding", "gzip"]];
const body = kind.includes("post64k") ? Buffer.alloc(65536, "x")
  : kind === "invoke-json" ? Buffer.from(("x".repeat(63) + "\n").repeat(1024)) : kind === "invoke-binary" ? Buffer.alloc(65536, 7) : undefined;
if (kind === "invoke-binary") headers[4] = ["content-type", "application/octet-stream"];
const spec = { method: body ? "POST" : "GET", path: "/aws?name=APISIX", authority: "gw", headers, body };
const answer = () => ({ headers: [[":status", "200"], ["content-type", "application/json"]] as [string, string][],
  body: invoke ? JSON.stringify({ statusCode: 200, headers: { "content-type": "application/json" }, body: "\"Hello\"" }) : "\"Hello\"" });
const t0 = performance.now();
if (kind === "configure") {
  const full = JSON.stringify({ ...config, upstream: "x", timeout: 3000, ssl_verify: true, keepalive: true, keepalive_pool: 5, keepalive_timeout: 60000, max_req_body_size: 1000000 });
  for (let i = 0; i < count; i++) { host.configure(full, { rootId }); if (i % 1000 === 0) host.clearLogs(); }
} else {
  for (let i = 0; i < count; i++) {
    const r = await host.request(rootId, spec, { answer });
    if (r.status !== 200) throw new Error(String(r.status));
    if (i % 1000 === 0) host.forget();
  }
}
console.log(kind, ((performance.now() - t0) * 1000 / count).toFixed(2), "us/op");
