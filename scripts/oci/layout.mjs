// An OCI image layout (image-layout.md): `oci-layout`, `index.json` naming each manifest by
// org.opencontainers.image.ref.name, and every blob under blobs/sha256/<hex>; and one tar of it.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonBytes } from "./blob.mjs";
import { OCI_INDEX, REF_NAME } from "./media-types.mjs";
import { tarOf } from "./tar.mjs";

const LAYOUT_MARKER = jsonBytes({ imageLayoutVersion: "1.0.0" });

/** Files of the layout holding `images` ({refName, manifest, blobs}), sorted by path, blobs once each. */
export function layoutFiles(images) {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map(({ refName, manifest }) => ({ ...manifest.descriptor, annotations: { [REF_NAME]: refName } })),
  };
  const blobs = new Map();
  for (const { manifest, blobs: parts } of images) {
    for (const part of [manifest, ...parts]) blobs.set(part.descriptor.digest, part.bytes);
  }
  const files = [
    { name: "oci-layout", data: LAYOUT_MARKER },
    { name: "index.json", data: jsonBytes(index) },
    ...[...blobs].map(([digest, data]) => ({ name: `blobs/sha256/${digest.slice("sha256:".length)}`, data })),
  ];
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Replaces `dir` with the layout. */
export function writeLayout(dir, files) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  for (const { name, data } of files) writeFileSync(join(dir, name), data);
}

/** The layout as one tar (the `oci-archive:` form skopeo reads), directories first. */
export function layoutTar(files) {
  return tarOf([{ name: "blobs/", directory: true }, { name: "blobs/sha256/", directory: true }, ...files]);
}
