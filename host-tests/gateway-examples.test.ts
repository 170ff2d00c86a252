// Every plugin config in examples/ runs under the local gateway (`npm start -- --config FILE`, with dummy AWS
// variables) and answers: the JSON plugin configs on both host profiles, the APISIX route files on APISIX,
// the Envoy, Istio and Envoy Gateway YAML that embed one on Envoy (the gateway reads it from the YAML). The two files that are not
// meant to run say so: the hot-reload example of a refused edit, and the route that disables the plugin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import YAML from "yaml";
import { RefusedError } from "../gateway/gateway.ts";
import { StartError } from "../gateway/options.ts";
import { embeddedConfigs, readConfigSource } from "../gateway/config-source.ts";
import { call, inProcess, root } from "./support/gateway-run.ts";

const examples = join(root, "examples");
const DUMMY = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "example-secret" };
/** Not meant to answer: what the gateway does with them instead. */
const REFUSED = new Set(["envoy-hot-reload/bad.json"]);
const NOT_A_PLUGIN = new Set(["apisix/routes/disable.json"]);

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

interface Case { name: string; file: string; profiles: string[]; refusedOn?: string }

/** An Envoy cluster name as `upstream`: APISIX, which needs host[:port], refuses the config at configure time. */
const clusterUpstream = (value: any) => typeof value.upstream === "string"
  && !/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(value.upstream);

function cases(): Case[] {
  const all: Case[] = [];
  for (const file of filesUnder(examples)) {
    const name = relative(examples, file);
    if (name.endsWith(".json")) {
      const value = JSON.parse(readFileSync(file, "utf8"));
      if ("function_uri" in value) {
        // APISIX cannot replace a body with the Invoke event: proxy mode with an ARN is refused there.
        const refusedOnApisix = clusterUpstream(value) || (value.mode === "proxy" && /^(?:arn:|\d{12}:)/.test(value.function_uri));
        all.push({ name, file, profiles: ["apisix", "envoy"], ...(refusedOnApisix ? { refusedOn: "apisix" } : {}) });
      }
      else if ("plugins" in value) all.push({ name, file, profiles: ["apisix"] });
    } else if (/\.ya?ml$/.test(name)) {
      // The gateway reads the one plugin config a YAML file embeds; files without one are not configs.
      const configs = YAML.parseAllDocuments(readFileSync(file, "utf8")).flatMap((doc) => embeddedConfigs(doc.toJS()));
      assert.ok(configs.length <= 1, `${name} embeds ${configs.length} plugin configs`);
      if (configs.length === 1) all.push({ name, file, profiles: ["envoy"] });
    }
  }
  return all;
}

const found = cases();

test("the examples hold plugin configs of every kind: JSON, APISIX routes, and embedded in Envoy, Istio and Envoy Gateway YAML", () => {
  const names = found.map((c) => c.name).join("\n");
  for (const kind of [/^invoke\/plugin-v2\.json$/m, /^apisix\/routes\/iam\.json$/m, /^envoy\/envoy\.yaml$/m, /^istio\/wasmplugin\.yaml$/m,
    /^envoy-gateway\/envoyextensionpolicy\.yaml$/m, /^envoy-hot-reload\/iam\.json$/m]) {
    assert.match(names, kind);
  }
  assert.ok(found.length >= 15, names);
});

for (const { name, file, profiles, refusedOn } of found) {
  for (const profile of profiles) {
    const refused = REFUSED.has(name) || refusedOn === profile;
    test(`npm start -- --host ${profile} --config examples/${name}: ${refused ? "refused, exit 1" : NOT_A_PLUGIN.has(name) ? "no plugin config, exit 2" : "answers"}`, async () => {
      const start = inProcess(["--host", profile, "--config", file], { ...DUMMY });
      if (refused) return void await assert.rejects(start, RefusedError);
      if (NOT_A_PLUGIN.has(name)) return void await assert.rejects(start, (e) => e instanceof StartError && /without the aws-lambda-wasm plugin/.test(e.message));
      const { gateway, out } = await start;
      try {
        const conf = JSON.parse(readConfigSource(file).text);
        const fn = Array.isArray(conf.allowed_functions) ? `/${conf.allowed_functions[0]}` : "";
        const passthrough = conf.event_format === "passthrough";
        const r = await call(gateway.port, `${gateway.route}${fn}?name=APISIX`,
          passthrough ? { method: "POST", body: JSON.stringify({ name: "APISIX" }), headers: { "content-type": "application/json" } } : {});
        const expected = conf.invocation_type === "Event" ? 202 : 200;
        assert.equal(r.status, expected, `${r.body}\n${out.text}`);
        if (!passthrough) assert.equal(r.body, '"Hello, APISIX!"');
        // Nothing reached the network: every callout went to a stand-in.
        assert.doesNotMatch(out.text, /go to https?:\/\/(?!127\.0\.0\.1)/);
      } finally {
        await gateway.close();
      }
    });
  }
}

test("a chain config without keys in the environment takes credentials from the local instance metadata", async () => {
  const { gateway, out } = await inProcess(["--host", "apisix", "--config", join(examples, "invoke/plugin-async-passthrough.json")], {});
  try {
    const r = await call(gateway.port, "/aws", { method: "POST", body: "{}" });
    assert.equal(r.status, 202, `${r.body}\n${out.text}`);
    assert.match(out.text, /callouts to "169\.254\.169\.254" go to the local credentials endpoint/);
  } finally {
    await gateway.close();
  }
});
