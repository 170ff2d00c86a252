// The media types and annotations the Wasm image loaders of Istio (pkg/wasm/imagefetcher.go) and
// Envoy Gateway (internal/wasm/imagefetcher.go, a copy of Istio's) recognise. Both follow solo.io's
// "Wasm Image Specification" (github.com/solo-io/wasm, spec/spec.md and spec/spec-compat.md); neither
// reads the CNCF artifact's `application/wasm` layer or `application/vnd.wasm.config.v0+json` config.
// examples/oci/README.md cites the loader lines.

/** OCI image manifest and index. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** *oci* variant: the runtime config (as manifest config and as the first of exactly two layers). */
export const WASM_RUNTIME_CONFIG = "application/vnd.module.wasm.config.v1+json";
/** *oci* variant: the raw module; the loaders look for the layer of this type. */
export const WASM_CONTENT_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";

/** *compat* variant: a standard image config and one tar+gzip layer holding `plugin.wasm`. */
export const OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
/** The file the loaders extract from the compat layer (`extractWasmPluginBinary`). */
export const COMPAT_WASM_FILE = "plugin.wasm";
/** spec-compat.md: required on a compat manifest whose layer has the OCI (not Docker) media type. */
export const COMPAT_VARIANT_ANNOTATION = { "module.wasm.image/variant": "compat" };

/** Annotation keys of the layout's index and the manifests. */
export const REF_NAME = "org.opencontainers.image.ref.name";
export const TITLE = "org.opencontainers.image.title";
export const VERSION = "org.opencontainers.image.version";
