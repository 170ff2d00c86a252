// The two image variants of one filter module, as the Wasm image loaders of Istio and Envoy Gateway read
// them (media-types.mjs): the *oci* variant (raw module layer + runtime config layer) and the *compat*
// variant (one tar+gzip layer holding plugin.wasm), each a manifest plus its blobs.
import { blob, jsonBytes, reproducibleGzip, sha256Digest } from "./blob.mjs";
import {
  COMPAT_VARIANT_ANNOTATION, COMPAT_WASM_FILE, OCI_IMAGE_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST,
  TITLE, VERSION, WASM_CONTENT_LAYER, WASM_RUNTIME_CONFIG,
} from "./media-types.mjs";
import { tarOf } from "./tar.mjs";

/** The proxy-wasm ABI versions a module exports (`proxy_abi_version_0_2_1` …), which hosts check at load. */
export function abiVersions(wasm) {
  const module = new WebAssembly.Module(wasm);
  return WebAssembly.Module.exports(module).map((e) => e.name).filter((n) => n.startsWith("proxy_abi_version_")).sort();
}

function manifest(config, layers, annotations) {
  const body = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations,
  };
  return { manifest: blob(OCI_MANIFEST, jsonBytes(body)), blobs: [config, ...layers] };
}

/**
 * solo.io's *oci* variant, as wasme pushes it (tools/wasme/pkg/push/push.go): the runtime config is the
 * manifest config and also the first of exactly two layers; the second is the raw module.
 */
export function artifactImage({ wasm, rootId, version, fileName }) {
  // JSON names of wasme's Runtime message (tools/wasme/pkg/config/runtime.proto).
  const runtime = { type: "envoy_proxy", abiVersions: abiVersions(wasm), config: { rootIds: [rootId] } };
  const config = blob(WASM_RUNTIME_CONFIG, jsonBytes(runtime), { [TITLE]: "runtime-config.json" });
  const module = blob(WASM_CONTENT_LAYER, wasm, { [TITLE]: fileName });
  return manifest(config, [config, module], {
    "module.wasm.runtime/type": runtime.type,
    "module.wasm.runtime/abi_version": runtime.abiVersions.join(","),
    [VERSION]: version,
  });
}

/** solo.io's *compat* variant: a plain OCI image whose single layer is a tar.gz holding only plugin.wasm. */
export async function compatImage({ wasm, version }) {
  const tar = await tarOf([{ name: COMPAT_WASM_FILE, data: wasm }]);
  const layer = blob(OCI_LAYER_TAR_GZIP, reproducibleGzip(tar));
  // A runnable-image config needs architecture, os and the uncompressed layer digests (diff_ids);
  // "wasm"/"wasip1" say what the layer holds (Go's GOARCH/GOOS names). No "created": it would vary.
  const imageConfig = { architecture: "wasm", os: "wasip1", config: {}, rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] } };
  const config = blob(OCI_IMAGE_CONFIG, jsonBytes(imageConfig));
  return manifest(config, [layer], { ...COMPAT_VARIANT_ANNOTATION, [VERSION]: version });
}
