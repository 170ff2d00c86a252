#!/usr/bin/env node
// npm run package: the release filter as an OCI image layout that Istio's WasmPlugin and Envoy Gateway's
// EnvoyExtensionPolicy pull from a registry (examples/oci/README.md), plus a tar of the layout.
//   node scripts/package.mjs [--wasm build/aws-lambda.wasm] [--out build/oci]
// writes OUT/layout/ (ref names "artifact" and "compat", one image variant each) and OUT/aws-lambda-wasm.tar,
// and prints each manifest's digest. Same module in, same bytes out.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT_ID } from "../cli/render-envoy.mjs";
import { artifactImage, compatImage } from "./oci/images.mjs";
import { layoutFiles, layoutTar, writeLayout } from "./oci/layout.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Where `npm run package` writes unless told otherwise. */
export const DEFAULT_OUT = join(root, "build", "oci");
/** The folder and tar names under the output directory. */
export const LAYOUT_DIR = "layout";
export const LAYOUT_TAR = "aws-lambda-wasm.tar";

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith("--")) fail(`${name} needs a value`);
  return value;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(2);
}

const unknown = process.argv.slice(2).filter((arg, i, all) => arg.startsWith("--") && !["--wasm", "--out"].includes(arg)
  && !["--wasm", "--out"].includes(all[i - 1]));
if (unknown.length > 0) fail(`unknown option ${unknown[0]} (use --wasm FILE, --out DIR)`);

const wasmPath = resolve(option("--wasm", join(root, "build", "aws-lambda.wasm")));
const out = resolve(option("--out", DEFAULT_OUT));
let wasm;
try {
  wasm = readFileSync(wasmPath);
} catch (error) {
  fail(`cannot read ${wasmPath}: ${error.code === "ENOENT" ? "no such file (npm run build makes it)" : error.message}`);
}
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const images = [
  { refName: "artifact", ...artifactImage({ wasm, rootId: ROOT_ID, version, fileName: basename(wasmPath) }) },
  { refName: "compat", ...(await compatImage({ wasm, version })) },
];
const files = layoutFiles(images);
writeLayout(join(out, LAYOUT_DIR), files);
writeFileSync(join(out, LAYOUT_TAR), await layoutTar(files));

const shown = (path) => relative(process.cwd(), path) || ".";
console.log(`${shown(join(out, LAYOUT_DIR))}/ and ${shown(join(out, LAYOUT_TAR))}: ${wasm.length} bytes of ${shown(wasmPath)}, version ${version}`);
for (const { refName, manifest } of images) console.log(`  ${refName.padEnd(8)} ${manifest.descriptor.digest}`);
