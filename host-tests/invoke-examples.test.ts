// The Invoke API examples are accepted by the real filter on both hosts, and what `render envoy` makes of
// them names a cluster after the filter's upstream, the regional Invoke API endpoint.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Host } from "../emulator/index.ts";
import { PROFILES } from "./support/filter-host.ts";
import { signatureProblem } from "./support/fuzz-sigv4.ts";
import { lambdaCluster, upstreamName } from "../cli/render-envoy.mjs";

const dir = new URL("../examples/invoke/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret/EXAMPLE" };

/**
 * What the example promises one request (examples/invoke/README.md, the Invoke API reference): a POST to
 * /2015-03-31/functions/<unqualified ARN>/invocations on lambda.<region>.amazonaws.com, the qualifier as
 * ?Qualifier=, the configured invocation type; with allowed_functions the first path segment names it.
 */
function expectedCall(plugin: any) {
  const parts = (plugin.function_uri.startsWith("arn:") ? plugin.function_uri
    : `arn:aws:lambda:${plugin.authorization.iam.aws_region}:${plugin.function_uri}`).split(":");
  const name = plugin.allowed_functions?.[0] ?? parts[6];
  const qualifiers: string[] = parts[7] !== undefined ? [parts[7]] : (plugin.qualifiers ?? []).map((q: any) => q.name);
  return {
    region: parts[3],
    requestPath: `${plugin.path_prefix ?? ""}${plugin.allowed_functions ? `/${name}` : ""}/items/1`,
    path: `/2015-03-31/functions/${encodeURIComponent([...parts.slice(0, 6), name].join(":"))}/invocations`,
    qualifiers,
    invocationType: plugin.invocation_type ?? "RequestResponse",
  };
}

// Every example runs through both hosts; an empty or shrunken examples/invoke/ fails here.
let called = 0;
after(() => assert.ok(called >= 4 * PROFILES.length, `only ${called} example requests reached the Invoke API`));

for (const file of files) {
  const text = readFileSync(new URL(file, dir), "utf8");
  for (const profile of PROFILES) {
    test(`${file} on ${profile}: a request calls its function through the Invoke API, signed for lambda`, async () => {
      const expected = expectedCall(JSON.parse(text));
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, env, callouts: "capture" });
      const root = host.configure(text);
      const reply = await host.request(root.rootId, { method: "POST", path: expected.requestPath, body: "{}" });
      const callout = reply.callout!;
      assert.ok(callout, `no callout: ${reply.status} ${reply.body}`);
      const header = (name: string) => callout.headers.filter(([k]) => k === name).map(([, v]) => v);
      assert.deepEqual(header(":method"), ["POST"]);
      assert.deepEqual(header(":authority"), [`lambda.${expected.region}.amazonaws.com`]);
      const [path, query] = header(":path")[0].split("?");
      assert.equal(path, expected.path);
      if (expected.qualifiers.length === 0) assert.equal(query, undefined);
      else assert.ok(expected.qualifiers.map((q) => `Qualifier=${q}`).includes(query), query);
      assert.deepEqual(header("x-amz-invocation-type"), [expected.invocationType]);
      assert.equal(await signatureProblem(callout, env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, expected.region, "lambda"), "");
      called++;
    });
    test(`${file} is accepted on ${profile}`, async () => {
      const host = await Host.load({ profile, allowOnHeadersStopIteration: true, env });
      const result = host.configure(text);
      assert.equal(result.accepted, true, host.getLogs().map((l) => l.message).join("\n"));
      assert.match(host.getLogs(2)[0].message, /configured on .*: Invoke API of arn:aws:lambda:/);
    });
  }
  test(`${file}: the rendered Envoy cluster is the regional Invoke API, named as the upstream`, () => {
    const plugin = JSON.parse(text);
    const cluster = lambdaCluster(plugin);
    assert.equal(cluster.name, upstreamName(plugin));
    assert.match(cluster.name, /^lambda\.[a-z0-9-]+\.amazonaws\.com$/);
    assert.equal(cluster.transport_socket.typed_config.sni, cluster.name);
  });
}
