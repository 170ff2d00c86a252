// What the docs say where it can drift from the code: the README's failures table against the filter's
// table (assembly/filter/failures.ts), examples/README.md against the folders, the APISIX wasm path, the
// "Try it" of examples/invoke/README.md run as written, BENCHMARKS.md's one module size, and
// swap-config.mjs's answers to a name it does not know and to a config without a cluster.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { APISIX_WASM_PATH } from "../cli/render-apisix.mjs";
import { clusterNames, missingClusterWarning } from "../examples/envoy-hot-reload/swap-config.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");
const dir = mkdtempSync(join(tmpdir(), "aws-lambda-docs-"));
after(() => rmSync(dir, { recursive: true, force: true }));
/** Added by another change (no Host header, issue 11) and documented ahead of it. */
const DOCUMENTED_AHEAD = new Set(["400 aws_lambda_bad_request"]);

/** The README rows of the failures table as "status error". */
function readmeFailures(): Set<string> {
  const readme = read("README.md");
  const table = readme.slice(readme.indexOf("| situation | status | `error` |"));
  const rows = table.slice(0, table.indexOf("\n\n")).split("\n").slice(2);
  return new Set(rows.map((row) => {
    const [, , status, error] = row.split("|").map((cell) => cell.trim());
    return `${/\d{3}/.exec(status)![0]} ${/`([a-z_]+)`/.exec(error)![1]}`;
  }));
}

test("the README's failures table lists exactly the filter's failure rows (status and error)", () => {
  const filter = new Set([...read("assembly/filter/failures.ts").matchAll(/new FailureKind\((\d{3}), "([a-z_]+)"/g)].map((m) => `${m[1]} ${m[2]}`));
  assert.ok(filter.size >= 18, [...filter].join(", "));
  const readme = readmeFailures();
  for (const row of filter) assert.ok(readme.has(row), `README lacks ${row}`);
  for (const row of readme) assert.ok(filter.has(row) || DOCUMENTED_AHEAD.has(row), `README has ${row}, which the filter does not`);
  for (const row of ["400 aws_lambda_bad_path", "404 aws_lambda_bad_path", "413 aws_lambda_body_too_large"]) assert.ok(readme.has(row), row);
});

test("examples/README.md links every folder of examples/", () => {
  const index = read("examples/README.md");
  const folders = readdirSync(join(root, "examples")).filter((name) => statSync(join(root, "examples", name)).isDirectory());
  assert.ok(folders.includes("invoke"));
  for (const folder of folders) assert.match(index, new RegExp(`^\\| \\[${folder}/\\]\\(${folder}/`, "m"), folder);
});

test("the APISIX wasm path is the same in every doc, example and the CLI's default", () => {
  const files = ["README.md", ...readdirSync(join(root, "examples"), { recursive: true, encoding: "utf8" }).map((f) => join("examples", f))]
    .filter((f) => /\.(md|ya?ml|json|sh)$/.test(f));
  const paths = new Set(files.flatMap((f) => [...read(f).matchAll(/\/usr\/local\/apisix\/\S*?\.wasm/g)].map((m) => m[0])));
  assert.deepEqual([...paths], [APISIX_WASM_PATH]);
});

test("examples/invoke/README.md's Try it runs as written: accepted with the two variables, refused without", () => {
  const doc = read("examples/invoke/README.md");
  const tryIt = doc.slice(doc.indexOf("## Try it"));
  const command = /```sh\n(.*)\n```/.exec(tryIt)![1];
  const [, assignments, args] = /^((?:[A-Z_]+=\S+ )*)npx aws-lambda-wasm (.*)$/.exec(command)!;
  const env = Object.fromEntries(assignments.trim().split(" ").map((a) => a.split("=")));
  assert.deepEqual(Object.keys(env), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], "the README names the variables it needs");
  const [accepted, refused] = [...tryIt.matchAll(/```text\n(.*)\n```/g)].map((m) => m[1]);
  const run = (vars: Record<string, string>) => spawnSync(process.execPath, [join(root, "bin/aws-lambda-wasm.mjs"), ...args.split(" ")],
    { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...vars } });
  const ok = run(env);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), accepted);
  const without = run({});
  assert.equal(without.status, 1);
  assert.equal(without.stderr.trim(), refused);
  // The npm start lines name a config and a route that exist.
  assert.match(tryIt, /npm start -- --config examples\/invoke\/plugin-canary\.json\ncurl -i 'localhost:9080\/checkout\?name=APISIX'/);
});

test("BENCHMARKS.md gives one size for the module, and the target's ratio is computed from it", () => {
  const text = read("BENCHMARKS.md");
  const sizes = [...text.matchAll(/^\| `wasm_bytes` \| (\d+) \|/gm)].map((m) => Number(m[1]));
  assert.equal(sizes.length, 1, "one wasm_bytes figure in the results");
  const target = /^\| `wasm_bytes` ≤ 98,304 [^|]*\| ([^|]*) \| \*\*missed by ×([\d.]+)\*\*/m.exec(text)!;
  assert.doesNotMatch(target[1], /\d{3},?\d{3}/, "the target row repeats no other size");
  assert.equal(Number(target[2]), Math.round((sizes[0] / 98304) * 100) / 100);
});

test("swap-config.mjs: an unknown name is one line and exit 2; a config whose upstream has no cluster is warned about", () => {
  const script = join(root, "examples/envoy-hot-reload/swap-config.mjs");
  const file = join(dir, "watched.yaml");
  const nope = spawnSync(process.execPath, [script, "swap", "nope", "--file", file], { encoding: "utf8" });
  assert.equal(nope.status, 2);
  assert.equal(nope.stderr, 'swap-config.mjs: no config named "nope": give apikey, iam, bad or the path of a plugin JSON file\n');
  assert.equal(nope.stdout, "");
  const plugin = join(dir, "elsewhere.json");
  writeFileSync(plugin, JSON.stringify({ function_uri: "https://fn.example.com", path_prefix: "/aws" }));
  const swapped = spawnSync(process.execPath, [script, "swap", plugin, "--file", file], { encoding: "utf8" });
  assert.equal(swapped.status, 0, swapped.stderr);
  assert.match(swapped.stdout, /warning: upstream "fn\.example\.com" has no cluster in examples\/envoy-hot-reload\/envoy\.yaml/);
  const clusters = clusterNames(read("examples/envoy-hot-reload/envoy.yaml"));
  for (const name of ["apikey", "iam"]) {
    assert.equal(missingClusterWarning(JSON.parse(read(`examples/envoy-hot-reload/${name}.json`)), clusters), null, `${name}.json has its cluster`);
  }
  assert.equal(relative(root, script), join("examples", "envoy-hot-reload", "swap-config.mjs"));
});
