// The Invoke API examples are accepted by the real filter on both hosts, and what `render envoy` makes of
// them names a cluster after the filter's upstream, the regional Invoke API endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Host } from "../emulator/index.ts";
import { PROFILES } from "./support/filter-host.ts";
import { lambdaCluster, upstreamName } from "../cli/render-envoy.mjs";

const dir = new URL("../examples/invoke/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
const env = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret/EXAMPLE" };

test("there are Invoke API examples", () => assert.ok(files.length >= 4));

for (const file of files) {
  const text = readFileSync(new URL(file, dir), "utf8");
  for (const profile of PROFILES) {
    test(`${file} is accepted on ${profile}`, async () => {
      const host = await Host.load({ profile, env });
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
