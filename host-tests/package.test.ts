// npm run package: the OCI image layout and its tar. Every blob's digest and size is recomputed here from
// the files, not taken from the packager; each image yields exactly the built module when read the way
// Istio's and Envoy Gateway's fetchers read it (support/wasm-image-loader.ts); two runs give equal bytes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { extractWasm, readBlob, tarEntries, type Descriptor, type Manifest } from "./support/wasm-image-loader.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = join(root, "scripts", "package.mjs");
const builtWasm = readFileSync(join(root, "build", "aws-lambda.wasm"));
const temp = mkdtempSync(join(tmpdir(), "aws-lambda-oci-"));
after(() => rmSync(temp, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Runs the packager as `npm run package` does (without the build) into a fresh folder. */
function pack(name: string, wasm = join(root, "build", "aws-lambda.wasm")) {
  const out = join(temp, name);
  const run = spawnSync(process.execPath, [script, "--wasm", wasm, "--out", out], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const layout = join(out, "layout");
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
  return { out, layout, index, stdout: run.stdout, tar: readFileSync(join(out, "aws-lambda-wasm.tar")) };
}

const first = pack("first");
const manifestOf = (refName: string): { descriptor: Descriptor; manifest: Manifest } => {
  const descriptor = first.index.manifests.find((m: Descriptor) => m.annotations?.["org.opencontainers.image.ref.name"] === refName);
  assert.ok(descriptor, `no manifest named ${refName}`);
  return { descriptor, manifest: JSON.parse(readBlob(first.layout, descriptor).toString("utf8")) };
};

test("the layout has the OCI marker, an index of two named manifests and nothing but referenced blobs", () => {
  assert.deepEqual(JSON.parse(readFileSync(join(first.layout, "oci-layout"), "utf8")), { imageLayoutVersion: "1.0.0" });
  assert.equal(first.index.schemaVersion, 2);
  assert.equal(first.index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.deepEqual(first.index.manifests.map((m: Descriptor) => m.annotations?.["org.opencontainers.image.ref.name"]), ["artifact", "compat"]);
  const referenced = new Set<string>();
  for (const descriptor of first.index.manifests) {
    assert.equal(descriptor.mediaType, "application/vnd.oci.image.manifest.v1+json");
    const manifest: Manifest = JSON.parse(readBlob(first.layout, descriptor).toString("utf8"));
    for (const d of [descriptor, manifest.config, ...manifest.layers]) {
      readBlob(first.layout, d); // recomputes sha256 and size
      referenced.add(d.digest.slice("sha256:".length));
    }
  }
  assert.deepEqual(readdirSync(join(first.layout, "blobs", "sha256")).sort(), [...referenced].sort());
  assert.deepEqual(readdirSync(first.layout).sort(), ["blobs", "index.json", "oci-layout"]);
});

test("the digests the packager prints are the manifests' sha256", () => {
  for (const m of first.index.manifests) {
    const bytes = readFileSync(join(first.layout, "blobs", "sha256", m.digest.slice(7)));
    assert.match(first.stdout, new RegExp(`${m.annotations["org.opencontainers.image.ref.name"]} +${sha256(bytes)}`));
  }
});

test("artifact: two layers (runtime config, raw module) as solo.io's oci variant; the module is the built wasm", async () => {
  const { manifest } = manifestOf("artifact");
  assert.equal(manifest.config.mediaType, "application/vnd.module.wasm.config.v1+json");
  assert.deepEqual(manifest.layers.map((l) => l.mediaType),
    ["application/vnd.module.wasm.config.v1+json", "application/vnd.module.wasm.content.layer.v1+wasm"]);
  assert.equal(manifest.layers[0].digest, manifest.config.digest);
  assert.ok(readBlob(first.layout, manifest.layers[1]).equals(builtWasm));
  assert.deepEqual(JSON.parse(readBlob(first.layout, manifest.config).toString("utf8")),
    { type: "envoy_proxy", abiVersions: ["proxy_abi_version_0_2_1"], config: { rootIds: ["aws_lambda"] } });
  const loaded = await extractWasm(first.layout, manifest);
  assert.equal(loaded.variant, "oci");
  assert.ok(loaded.wasm.equals(builtWasm));
});

test("compat: one tar+gzip layer holding only plugin.wasm, the built bytes; diff_id is the tar's sha256", async () => {
  const { manifest } = manifestOf("compat");
  assert.equal(manifest.annotations?.["module.wasm.image/variant"], "compat");
  assert.equal(manifest.config.mediaType, "application/vnd.oci.image.config.v1+json");
  assert.deepEqual(manifest.layers.map((l) => l.mediaType), ["application/vnd.oci.image.layer.v1.tar+gzip"]);
  const tar = gunzipSync(readBlob(first.layout, manifest.layers[0]));
  const entries = await tarEntries(tar);
  assert.deepEqual(entries.map((e) => [e.name, e.type, e.mode, e.mtime.getTime()]), [["plugin.wasm", "file", 0o644, 0]]);
  assert.ok(entries[0].data.equals(builtWasm));
  const config = JSON.parse(readBlob(first.layout, manifest.config).toString("utf8"));
  assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [sha256(tar)] });
  assert.equal(typeof config.architecture, "string");
  assert.equal(typeof config.os, "string");
  const loaded = await extractWasm(first.layout, manifest);
  assert.equal(loaded.variant, "compat");
  assert.ok(loaded.wasm.equals(builtWasm));
});

test("the loader model refuses what the real fetchers refuse", async () => {
  const { manifest } = manifestOf("artifact");
  const oneLayer = { ...manifest, layers: [manifest.layers[1]] };
  await assert.rejects(extractWasm(first.layout, oneLayer), /number of layers must be 2 but got 1/);
  const cncf = { ...manifest, layers: [manifest.layers[0], { ...manifest.layers[1], mediaType: "application/wasm" }] };
  await assert.rejects(extractWasm(first.layout, cncf), /could not find the layer of type application\/vnd\.module\.wasm\.content\.layer\.v1\+wasm/);
  const tampered = { ...manifest, layers: [manifest.layers[0], { ...manifest.layers[1], size: manifest.layers[1].size - 1 }] };
  await assert.rejects(extractWasm(first.layout, tampered), /descriptor says/);
});

test("the tar holds exactly the layout's files, byte for byte, with fixed owners and mtimes", async () => {
  const entries = await tarEntries(first.tar);
  const files = entries.filter((e) => e.type === "file");
  const expected = ["index.json", "oci-layout", ...readdirSync(join(first.layout, "blobs", "sha256")).map((f) => `blobs/sha256/${f}`)].sort();
  assert.deepEqual(files.map((e) => e.name).sort(), expected);
  for (const e of files) assert.ok(e.data.equals(readFileSync(join(first.layout, e.name))), e.name);
  assert.deepEqual(entries.filter((e) => e.type === "directory").map((e) => e.name), ["blobs/", "blobs/sha256/"]);
  assert.ok(entries.every((e) => e.mtime.getTime() === 0));
});

test("two runs give the same digests and the same tar bytes; another module gives other digests", () => {
  const second = pack("second");
  assert.deepEqual(second.index, first.index);
  assert.ok(second.tar.equals(first.tar));
  const other = join(temp, "other.wasm");
  writeFileSync(other, Buffer.concat([builtWasm, Buffer.from([0, 4, 3, 120, 121, 122])])); // + an empty custom section "xyz"
  const third = pack("third", other);
  for (const [i, m] of third.index.manifests.entries()) assert.notEqual(m.digest, first.index.manifests[i].digest);
});

test("a missing module is one clear line and exit 2", () => {
  const run = spawnSync(process.execPath, [script, "--wasm", join(temp, "none.wasm"), "--out", join(temp, "none")], { encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^package: cannot read .*none\.wasm: no such file/);
});
