// `npm start` builds only the release filter, and only when its sources changed since the last build
// (scripts/release-sources.mjs keeps their digest next to the module).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RELEASE_WASM, releaseIsCurrent } from "../scripts/release-sources.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Builds build/aws-lambda.wasm when it is missing or older than its sources; says what it does. Resolves false on a failed build. */
export async function ensureReleaseBuilt(say: (line: string) => void): Promise<boolean> {
  if (releaseIsCurrent(root)) {
    say(`${RELEASE_WASM} is up to date with its sources`);
    return true;
  }
  say(`building ${RELEASE_WASM}: it is missing or its sources (assembly/, schema/, asconfig.json) changed; this takes about 20 s…`);
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [join(root, "scripts", "build.mjs"), "--release-only"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.on("exit", resolve);
    child.on("error", () => resolve(1));
  });
  if (code !== 0) return false;
  say(`built ${RELEASE_WASM} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}
