// Reads a Wasm image out of an OCI image layout the way Istio's and Envoy Gateway's image fetchers do
// (istio/istio pkg/wasm/imagefetcher.go `PrepareFetch` and its extract* functions; envoyproxy/gateway
// internal/wasm/imagefetcher.go is the same code): a Docker schema-2 manifest → last layer must be
// Docker tar.gz; otherwise the *compat* variant (last layer OCI tar+gzip) is tried, then the *oci*
// variant (exactly two layers, one of the Wasm content type, taken raw). A tar.gz layer yields the first
// entry whose base name is plugin.wasm. Written from those sources so the tests can say "the loader
// would extract exactly these bytes" without a registry; it also verifies every blob's digest and size.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { gunzipSync } from "node:zlib";
import tarStream from "tar-stream";

export type Descriptor = { mediaType: string; digest: string; size: number; annotations?: Record<string, string> };
export type Manifest = { schemaVersion: number; mediaType?: string; config: Descriptor; layers: Descriptor[]; annotations?: Record<string, string> };

const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
const WASM_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";

/** The bytes a descriptor points at in the layout, after checking its sha256 and size. */
export function readBlob(layout: string, descriptor: Descriptor): Buffer {
  const [algorithm, hex] = descriptor.digest.split(":");
  if (algorithm !== "sha256" || !/^[0-9a-f]{64}$/.test(hex)) throw new Error(`bad digest ${descriptor.digest}`);
  const bytes = readFileSync(join(layout, "blobs", "sha256", hex));
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== hex) throw new Error(`blob ${hex} hashes to ${actual}`);
  if (bytes.length !== descriptor.size) throw new Error(`blob ${hex} has ${bytes.length} bytes, descriptor says ${descriptor.size}`);
  return bytes;
}

/** Every entry of a tar: name, type and bytes, in archive order. */
export async function tarEntries(tar: Buffer): Promise<{ name: string; type: string; mode: number; mtime: Date; data: Buffer }[]> {
  const extract = tarStream.extract();
  const entries: { name: string; type: string; mode: number; mtime: Date; data: Buffer }[] = [];
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      entries.push({ name: header.name, type: header.type ?? "file", mode: header.mode ?? 0, mtime: header.mtime ?? new Date(NaN), data: Buffer.concat(chunks) });
      next();
    });
  });
  const done = new Promise((resolve, reject) => { extract.on("finish", resolve); extract.on("error", reject); });
  extract.end(tar);
  await done;
  return entries;
}

/** extractWasmPluginBinary: the first entry named plugin.wasm (any directory) in a tar.gz. */
async function pluginWasm(gzipped: Buffer): Promise<Buffer> {
  const found = (await tarEntries(gunzipSync(gzipped))).find((e) => posix.basename(e.name) === "plugin.wasm");
  if (!found) throw new Error("plugin.wasm not found in the archive");
  return found.data;
}

/** The module Istio / Envoy Gateway would hand to Envoy for this manifest, and which variant matched. */
export async function extractWasm(layout: string, manifest: Manifest): Promise<{ variant: string; wasm: Buffer }> {
  const layers = manifest.layers;
  if (manifest.mediaType === DOCKER_MANIFEST) {
    if (layers.at(-1)?.mediaType !== DOCKER_LAYER) throw new Error("docker image without a tar.gz last layer");
    return { variant: "docker", wasm: await pluginWasm(readBlob(layout, layers.at(-1)!)) };
  }
  let compatError = `invalid media type ${layers.at(-1)?.mediaType} (expect ${OCI_LAYER})`;
  if (layers.at(-1)?.mediaType === OCI_LAYER) {
    try {
      return { variant: "compat", wasm: await pluginWasm(readBlob(layout, layers.at(-1)!)) };
    } catch (error) {
      compatError = (error as Error).message;
    }
  }
  // Like the fetcher, fall back to the oci variant and report both failures.
  const fail = (reason: string) => new Error(`could not parse as compat variant: ${compatError}; as oci variant: ${reason}`);
  if (layers.length !== 2) throw fail(`number of layers must be 2 but got ${layers.length}`);
  const module = layers.find((l) => l.mediaType === WASM_LAYER);
  if (!module) throw fail(`could not find the layer of type ${WASM_LAYER}`);
  return { variant: "oci", wasm: readBlob(layout, module) };
}
