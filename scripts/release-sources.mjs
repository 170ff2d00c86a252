// Whether build/aws-lambda.wasm is the build of the sources as they are now: a SHA-256 over the release
// filter's sources (assembly/ without the unit-test entries, schema/, the asc transforms in
// scripts/transforms/, asconfig.json) and the compiler's version, kept next to the module by
// scripts/build.mjs. `npm start` builds only when it differs.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The module and the digest of the sources it was built from. */
export const RELEASE_WASM = "build/aws-lambda.wasm";
export const SOURCES_STAMP = "build/aws-lambda.wasm.sources";

function filesUnder(root, dir, skip) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (skip.includes(path)) return [];
    return entry.isDirectory() ? filesUnder(root, path, skip) : [path];
  });
}

/** SHA-256 (hex) over every release source's path and bytes, in a fixed order. */
export function releaseSourcesDigest(root) {
  const files = [...filesUnder(root, "assembly", [join("assembly", "unit")]), ...filesUnder(root, "schema", []),
    ...filesUnder(root, join("scripts", "transforms"), []), "asconfig.json"].sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${relative(root, join(root, file))}\0`).update(readFileSync(join(root, file))).update("\0");
  const compiler = join(root, "node_modules", "assemblyscript", "package.json");
  if (existsSync(compiler)) hash.update(JSON.parse(readFileSync(compiler, "utf8")).version);
  return hash.digest("hex");
}

/** True when the module exists and was built from the current sources. */
export function releaseIsCurrent(root) {
  const stamp = join(root, SOURCES_STAMP);
  if (!existsSync(join(root, RELEASE_WASM)) || !existsSync(stamp)) return false;
  return readFileSync(stamp, "utf8").trim() === releaseSourcesDigest(root);
}

/** Records `digest` (taken before compiling) as the sources of the module just built. */
export function writeSourcesStamp(root, digest) {
  writeFileSync(join(root, SOURCES_STAMP), `${digest}\n`);
}
