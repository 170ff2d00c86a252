// `npm start` in proxy mode: the local gateway carries the signed request to the streaming demo function
// (a Function URL in RESPONSE_STREAM mode, or InvokeWithResponseStream) and writes each chunk to the client
// as the filter lets it through — what `curl -N localhost:9080/aws/stream` shows. Measured with the arrival
// time of each chunk at a real HTTP client.
import assert from "node:assert/strict";
import { request } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { inProcess, root } from "./support/gateway-run.ts";

const DUMMY = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "example-secret" };

/** Each chunk the client reads, with its arrival time (ms after the request was sent). */
function stream(port: number, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; chunks: { at: number; text: string }[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: "127.0.0.1", port, path, method: body ? "POST" : "GET", headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      const chunks: { at: number; text: string }[] = [];
      res.on("data", (d: Buffer) => chunks.push({ at: performance.now() - started, text: d.toString() }));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const cases: { config?: string; profile: string; body?: string }[] = [
  { profile: "apisix" }, // the demo config with --mode proxy
  { config: "examples/proxy/plugin-url.json", profile: "envoy" },
  { config: "examples/proxy/plugin-url.json", profile: "apisix" },
  { config: "examples/proxy/envoy.yaml", profile: "envoy" },
  { config: "examples/proxy/plugin-invoke-stream.json", profile: "envoy", body: "{}" },
];

for (const { config, profile, body } of cases) {
  test(`--host ${profile} ${config ? `--config ${config}` : "--mode proxy"}: /aws/stream arrives chunk by chunk, as the function writes it`, async () => {
    const { gateway, out } = await inProcess(["--host", profile, ...(config ? ["--config", join(root, config)] : ["--mode", "proxy"])], { ...DUMMY });
    try {
      const gap = 150;
      const r = await stream(gateway.port, `/aws/stream?n=4&gap=${gap}`, body);
      assert.equal(r.status, 200, out.text);
      const lines = r.chunks.map((c) => c.text).join("").trim().split("\n");
      assert.equal(lines.length, 4, lines.join("|"));
      assert.match(lines[0], /^chunk 1 of 4 for World/);
      // Four chunks 150 ms apart: buffering would deliver them together at the end.
      assert.ok(r.chunks.length >= 4, `${r.chunks.length} chunks`);
      const spread = r.chunks.at(-1)!.at - r.chunks[0].at;
      assert.ok(spread >= 3 * gap * 0.8, `the first chunk came only ${spread.toFixed(0)} ms before the last`);
      assert.match(out.text, /GET|POST/);
      assert.match(out.text, /\/aws\/stream -> 200 \(proxied: \d+ chunks, \d+ bytes, first byte after/);
      assert.match(out.text, /stream: curl -N 'localhost:\d+\/aws\/stream/);
    } finally {
      await gateway.close();
    }
  });
}

test("the demo config in callout mode says how to stream; --mode is refused beside --config and for other values", async () => {
  const { gateway, out } = await inProcess([], {});
  try {
    assert.match(out.text, /callout mode answers once the function is done: npm start -- --mode proxy streams/);
  } finally {
    await gateway.close();
  }
  await assert.rejects(inProcess(["--mode", "stream"], {}), /--mode must be callout or proxy, not stream/);
  await assert.rejects(inProcess(["--mode", "proxy", "--config", join(root, "examples/proxy/plugin-url.json")], {}),
    /--mode sets the demo config's mode: with --config, set "mode" in /);
});
