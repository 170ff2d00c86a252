#!/usr/bin/env node
// Swaps the aws-lambda filter's config in a running Envoy through ECDS: renders a plugin config as a
// DiscoveryResponse, writes it to a temp file beside the watched one and renames it into place (Envoy
// watches the path for moves, and a rename is atomic, so Envoy never reads half a file).
//
//   node examples/envoy-hot-reload/swap-config.mjs init          before starting Envoy
//   node examples/envoy-hot-reload/swap-config.mjs swap iam      apikey | iam | bad | path/to/plugin.json
//   node examples/envoy-hot-reload/swap-config.mjs demo          traffic + apikey → iam → bad config
//
// Options: --file PATH (the watched file, default below), --force (write a config the filter refuses).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsImport } from "tsx/esm/api";
import YAML from "yaml";
import { discoveryResponse, upstreamName } from "../../cli/render-envoy.mjs";

// The filter's own check runs in the project's host emulator (TypeScript, loaded through tsx).
const { configureFilter } = await tsImport("../../cli/configure.mjs", import.meta.url);

const here = dirname(fileURLToPath(import.meta.url));
/** Must match config_discovery.config_source.path_config_source.path in envoy.yaml. */
export const WATCHED_FILE = "/tmp/aws-lambda-ecds/aws-lambda.yaml";
const GATEWAY = "http://127.0.0.1:10000/aws/default/test-apisix?name=APISIX";
const ADMIN_STATS = "http://127.0.0.1:9901/stats?filter=extension_config_discovery.http_filter.aws-lambda";
// Envoy supplies the real credentials (host_env_keys); checking the config's shape needs none.
const PLACEHOLDER_ENV = { AWS_ACCESS_KEY_ID: "placeholder", AWS_SECRET_ACCESS_KEY: "placeholder" };

/** The configs beside this script that `swap` takes by name. */
export const NAMED_CONFIGS = ["apikey", "iam", "bad"];
/** The bootstrap whose clusters the swapped configs call. */
const ENVOY_CONFIG = join(here, "envoy.yaml");

/** A named config beside this script (apikey, iam, bad) or a path to a plugin JSON file; null when neither. */
function pluginFile(nameOrPath) {
  if (NAMED_CONFIGS.includes(nameOrPath)) return join(here, `${nameOrPath}.json`);
  return existsSync(nameOrPath) && statSync(nameOrPath).isFile() ? nameOrPath : null;
}

/** The cluster names of an Envoy bootstrap (static_resources.clusters). */
export function clusterNames(bootstrapText) {
  return (YAML.parse(bootstrapText)?.static_resources?.clusters ?? []).map((cluster) => cluster.name);
}

/** A warning when the config's upstream names no cluster of `clusters`: Envoy would answer 500 for every request. */
export function missingClusterWarning(plugin, clusters, where = "envoy.yaml") {
  const upstream = upstreamName(plugin);
  if (clusters.includes(upstream)) return null;
  return `  warning: upstream "${upstream}" has no cluster in ${where} (clusters: ${clusters.join(", ")}): every request `
    + `would be answered 500 aws_lambda_callout_refused; add a cluster named "${upstream}" (npx aws-lambda-wasm render envoy FILE prints one)`;
}

/** Writes `text` next to `file`, then renames it over `file`. */
export function moveIntoPlace(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** The DiscoveryResponse for a plugin config, after the filter's own check; null when refused and not forced. */
export function renderSwap(pluginText, { force = false, version = String(Date.now()), log = console.log } = {}) {
  const result = configureFilter({ config: pluginText, host: "envoy", env: PLACEHOLDER_ENV });
  for (const { level, message } of result.logs) log(`  filter [${level}] ${message}`);
  if (!result.accepted) {
    log(force ? "  the filter refuses this config: Envoy will reject the update and keep serving the old one"
      : "  refused by the filter; not written (--force writes it anyway, to watch Envoy refuse it)");
    if (!force) return null;
  }
  let plugin;
  try {
    plugin = JSON.parse(pluginText);
  } catch {
    log("  not JSON: nothing to render");
    return null;
  }
  const warning = missingClusterWarning(plugin, clusterNames(readFileSync(ENVOY_CONFIG, "utf8")), "examples/envoy-hot-reload/envoy.yaml");
  if (warning) log(warning);
  const response = discoveryResponse(plugin, { version, wasmPath: "build/aws-lambda.wasm" });
  return YAML.stringify(response, { lineWidth: 0 });
}

export function swap(nameOrPath, { file = WATCHED_FILE, force = false, log = console.log } = {}) {
  const source = pluginFile(nameOrPath);
  if (source === null) {
    log(`swap-config.mjs: no config named "${nameOrPath}": give ${NAMED_CONFIGS.join(", ")} or the path of a plugin JSON file`);
    return false;
  }
  log(`swap → ${source}`);
  const text = renderSwap(readFileSync(source, "utf8").trim(), { force, log });
  if (text === null) return false;
  moveIntoPlace(file, text);
  log(`  moved into ${file}`);
  return true;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request every 250 ms, one line each, until the returned stop() is called. */
function traffic() {
  let running = true;
  const started = Date.now();
  const loop = (async () => {
    while (running) {
      const at = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
      try {
        const response = await fetch(GATEWAY, { signal: AbortSignal.timeout(5000) });
        const body = (await response.text()).replace(/\s+/g, " ").slice(0, 90);
        console.log(`${at}s  GET /aws/default/test-apisix → ${response.status} ${body}`);
      } catch (error) {
        console.log(`${at}s  GET /aws/default/test-apisix → no answer (${error.cause?.code ?? error.message}); is Envoy running?`);
      }
      await sleep(250);
    }
  })();
  return async () => { running = false; await loop; };
}

async function demo(file) {
  try {
    await fetch(ADMIN_STATS, { signal: AbortSignal.timeout(2000) });
  } catch {
    console.error("Envoy's admin interface (127.0.0.1:9901) does not answer: start Envoy with envoy.yaml first");
    return 1;
  }
  const stop = traffic();
  await sleep(2000);
  swap("iam", { file });
  await sleep(2000);
  swap("bad", { file, force: true });
  await sleep(2000);
  await stop();
  try {
    console.log(`\nEnvoy's ECDS counters (${ADMIN_STATS}):\n${await (await fetch(ADMIN_STATS)).text()}`);
  } catch {
    console.log("\n(Envoy's admin interface on 127.0.0.1:9901 did not answer)");
  }
  return 0;
}

async function cli(argv) {
  const fileAt = argv.indexOf("--file");
  const file = fileAt >= 0 ? argv[fileAt + 1] : WATCHED_FILE;
  const force = argv.includes("--force");
  const [command, target] = argv.filter((arg, i) => !arg.startsWith("--") && argv[i - 1] !== "--file");
  if (command === "init") {
    moveIntoPlace(file, readFileSync(join(here, "aws-lambda.yaml"), "utf8"));
    console.log(`initial config (apikey.json) written to ${file}`);
  } else if (command === "swap" && target) {
    if (pluginFile(target) === null) {
      console.error(`swap-config.mjs: no config named "${target}": give ${NAMED_CONFIGS.join(", ")} or the path of a plugin JSON file`);
      return 2;
    }
    return swap(target, { file, force }) ? 0 : 1;
  } else if (command === "demo") {
    return demo(file);
  } else {
    console.error("usage: swap-config.mjs init | swap apikey|iam|bad|FILE.json [--force] | demo   [--file PATH]");
    return 2;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await cli(process.argv.slice(2));
