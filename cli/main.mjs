// aws-lambda-wasm: check a plugin config with the real filter, and turn it into Envoy or APISIX config.
// Exit codes: 0 done, 1 the filter refused the config, 2 usage or file errors.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { configureFilter, DEFAULT_WASM } from "./configure.mjs";
import { DEFAULT_WASM_PATH, discoveryResponse, envoyClusters, functionVirtualHost, mappingNotes, needsEnvCredentials, upstreamName, wasmFilter }
  from "./render-envoy.mjs";
import { apisixNotes, apisixProxyNotes, apisixRoute, PLUGIN_NAME } from "./render-apisix.mjs";
import { checkEnvoy } from "./envoy-shape.mjs";
import {
  APISIX_WASM_PATH, apiKeyVariables, apisixConfigYaml, DEFAULT_ENVOY_VERSION, envoyMessages, envoyOptions, passApisixVariables, passVariables,
  placeSecrets, SYSTEM_TRUST_STORE,
} from "./render-options.mjs";
import { API_KEY_VARIABLE } from "./render-secrets.mjs";
import { SCHEMA_FILE, schemaProblems } from "./schema-problems.mjs";

export const USAGE = `usage:
  aws-lambda-wasm validate FILE [--host envoy|apisix] [--env] [--wasm MODULE]
      Runs the filter's proxy_on_configure on the plugin config and prints what the gateway would log,
      then every problem the JSON Schema finds (the filter stops at the first), with the nearest field
      for an unknown key. Exit 0 when accepted, 1 when refused. --host apisix skips proxy_on_vm_start as APISIX does;
      --env gives the filter this process's environment (for "iam" without keys).
  aws-lambda-wasm render envoy FILE [--wasm-path PATH] [--ecds] [--envoy-version X.Y]
                                    [--secrets env|inline] [--trusted-ca PATH]
      Prints the Envoy v3 HTTP filter and the cluster its callouts use (mode proxy: also the virtual
      host the filter re-routes the signed request to). --wasm-path sets
      vm_config.code (default ${DEFAULT_WASM_PATH}); --ecds prints an ECDS DiscoveryResponse instead.
      --envoy-version (default ${DEFAULT_ENVOY_VERSION}) leaves out fields that release lacks: before 1.35
      allow_on_headers_stop_iteration, so request bodies never reach the filter (warned on stderr).
      --secrets env (default) leaves IAM keys out of the config and passes AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN from Envoy's environment; inline renders them as
      written. Literal secrets (inline, and API keys always) are warned about on stderr.
      --trusted-ca is the CA bundle the cluster verifies the function with (default
      ${SYSTEM_TRUST_STORE}).
  aws-lambda-wasm render apisix FILE --uri /aws/* [--name ${PLUGIN_NAME}] [--wasm-path PATH]
      Prints the Admin API route body with the plugin config as a "conf" string (mode proxy: with the
      route's upstream, the function host:443 over https with pass_host "pass"), and on stderr
      the config.yaml entry declaring the plugin (file default ${APISIX_WASM_PATH}).

FILE is a plugin config (JSON); "-" reads standard input. --wasm MODULE runs another build of the
filter (default: the package's build/aws-lambda.wasm).`;

/** Wrong arguments: the message and the usage text, exit 2. */
class UsageError extends Error {}
/** A file or module that cannot be read: the message alone, exit 2. */
class InputError extends Error {}

const FLAGS = new Set(["--env", "--ecds", "--help", "-h"]);
const OPTIONS = new Set(["--host", "--wasm", "--wasm-path", "--uri", "--name", "--envoy-version", "--secrets", "--trusted-ca"]);

function parseArgs(argv) {
  const positional = [];
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const [key, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (FLAGS.has(key)) options[key] = true;
    else if (OPTIONS.has(key)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`${key} needs a value`);
      options[key] = value;
    } else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { positional, options };
}

function readConfig(file, io) {
  if (file === undefined) throw new UsageError("missing FILE (a plugin config in JSON)");
  try {
    return file === "-" ? io.readStdin() : readFileSync(file, "utf8");
  } catch (error) {
    const reason = error.code === "ENOENT" ? "no such file" : error.code === "EISDIR" ? "is a directory" : error.message;
    throw new InputError(`cannot read ${file}: ${reason}`);
  }
}

function printLogs(logs, trap, io) {
  for (const { level, message } of logs) {
    const line = `[${level}] ${message}\n`;
    if (level === "warn" || level === "error" || level === "critical") io.stderr.write(line);
    else io.stdout.write(line);
  }
  if (trap) io.stderr.write(`[critical] the filter trapped: ${trap}\n`);
}

/** Runs the filter on the config as `host` would; prints its lines (only warnings when quiet) and says if it accepted. */
function accepted(text, { host, env, wasm, quiet, hintEnv }, io) {
  const wasmPath = wasm ?? DEFAULT_WASM;
  let result;
  try {
    result = configureFilter({ config: text, host, env, wasmPath });
  } catch (error) {
    const hint = error.code === "ENOENT" ? "no such file (npm run build makes it)" : error.message;
    throw new InputError(`cannot load the filter ${wasmPath}: ${hint}`);
  }
  if (!result.accepted) {
    printLogs(result.logs, result.trap, io);
    // Refused before the filter said anything (e.g. APISIX's "bad conf" for an empty config): say why.
    if (result.logs.length === 0 && !result.trap) for (const event of result.hostEvents) io.stderr.write(`[host] ${event}\n`);
    // Without --env the filter sees an empty environment, so a config that reads keys from it is refused.
    if (hintEnv && result.logs.some((l) => l.message.includes("missing from the VM environment"))) {
      io.stderr.write("hint: without --env the filter sees no environment; --env gives it this shell's, as the gateway passes its own\n");
    }
  } else if (!quiet) printLogs(result.logs, undefined, io);
  else printLogs(result.logs.filter((l) => l.level === "warn" || l.level === "error"), undefined, io);
  return result.accepted;
}

/** The accepted config as an object (the filter's JSON reader and Node's agree on valid JSON). */
function parsePlugin(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`the filter accepted the config but Node cannot parse it: ${error.message}`);
  }
}

// Rendering does not need real credentials: the gateway supplies them at run time.
const PLACEHOLDER_CREDENTIALS = { AWS_ACCESS_KEY_ID: "placeholder", AWS_SECRET_ACCESS_KEY: "placeholder", [API_KEY_VARIABLE]: "placeholder",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/placeholder" };

/** Placeholders for the AWS keys and for the variable the config's apikey_env names, if any. */
function placeholderEnv(text) {
  let named = [];
  try { named = apiKeyVariables(JSON.parse(text)); } catch { /* the filter reports the JSON */ }
  return { ...PLACEHOLDER_CREDENTIALS, ...Object.fromEntries(named.map((name) => [name, "placeholder"])) };
}

function validate(args, io) {
  const host = args.options["--host"] ?? "envoy";
  if (host !== "envoy" && host !== "apisix") throw new UsageError(`--host must be envoy or apisix, not ${host}`);
  const text = readConfig(args.positional[1], io);
  const env = args.options["--env"] ? { ...io.env } : {};
  const ok = accepted(text, { host, env, wasm: args.options["--wasm"], hintEnv: !args.options["--env"] }, io);
  printSchemaProblems(text, ok, io);
  return ok ? 0 : 1;
}

/**
 * The filter stops at its first problem; the JSON Schema lists them all. Printed when that says more
 * than the filter's line: several problems, or a hint for an unknown key.
 */
function printSchemaProblems(text, ok, io) {
  let config;
  try { config = JSON.parse(text); } catch { return; } // the filter has said where the JSON breaks
  const problems = schemaProblems(config);
  const hinted = problems.some((line) => / is not a field: /.test(line));
  if (problems.length === 0 || (!ok && problems.length === 1 && !hinted)) return;
  io.stderr.write(ok ? `warning: the JSON Schema (${SCHEMA_FILE}) refuses what the filter accepted:\n`
    : `every problem the JSON Schema (${SCHEMA_FILE}) finds:\n`);
  for (const line of problems) io.stderr.write(`  ${line}\n`);
}

function renderEnvoy(file, args, io) {
  const parsed = envoyOptions(args.options);
  if (parsed.error) throw new UsageError(parsed.error);
  const text = readConfig(file, io);
  const check = { host: "envoy", env: placeholderEnv(text), wasm: args.options["--wasm"], quiet: true };
  if (!accepted(text, check, io)) return 1;
  const placed = placeSecrets(parsePlugin(text), parsed.secrets);
  const plugin = placed.plugin;
  // With keys left to the environment the rendered config is another one: it must pass too.
  if (placed.moved.length > 0 && !accepted(JSON.stringify(plugin), check, io)) return 1;
  const options = parsed.render;
  const flags = Object.entries(args.options).map(([key, value]) => (value === true ? key : `${key} ${value}`));
  const header = [["aws-lambda-wasm render envoy", file, ...flags].join(" ")];
  let body;
  if (args.options["--ecds"]) {
    body = discoveryResponse(plugin, options);
    passVariables(body.resources[0].typed_config, placed.variables);
    header.push("An ECDS file for config_discovery.config_source.path_config_source: replace it by an atomic move.",
      `The cluster "${upstreamName(plugin)}" must already exist (render without --ecds prints it).`);
  } else {
    const proxy = plugin.mode === "proxy";
    body = { http_filters: [wasmFilter(plugin, options)], ...(proxy ? { virtual_hosts: [functionVirtualHost(plugin)] } : {}),
      clusters: envoyClusters(plugin, options) };
    passVariables(body.http_filters[0].typed_config, placed.variables);
    header.push("http_filters: add to http_connection_manager.http_filters before envoy.filters.http.router.",
      ...(proxy ? ["virtual_hosts: add to the route_config's virtual_hosts (the function's authority; the filter re-routes to it)."] : []),
      `clusters: add to static_resources.clusters; the filter's ${proxy ? "rewritten :authority routes to" : "upstream names"} it.`, "",
      ...mappingNotes(plugin, options));
  }
  if (needsEnvCredentials(plugin)) header.push("Start Envoy with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set.");
  if (placed.variables.length > 0) header.push(`Start Envoy with ${placed.variables.join(", ")} set: the API key (authorization.apikey_env).`);
  selfCheck(body, args.options["--ecds"]);
  for (const line of envoyMessages(placed, parsed)) io.stderr.write(`${line}\n`);
  const doc = new YAML.Document(body);
  doc.commentBefore = header.map((line) => (line ? ` ${line}` : "")).join("\n");
  io.stdout.write(doc.toString({ lineWidth: 0 }));
  return 0;
}

/** The renderer's output must pass the same structural check as the examples. */
function selfCheck(body, ecds) {
  const errors = ecds ? checkEnvoy(body, "DiscoveryResponse")
    : [...body.http_filters.flatMap((f) => checkEnvoy(f, "HttpFilter")), ...body.clusters.flatMap((c) => checkEnvoy(c, "Cluster")),
      ...(body.virtual_hosts ?? []).flatMap((v) => checkEnvoy(v, "VirtualHost"))];
  if (errors.length > 0) throw new Error(`rendered Envoy config is malformed:\n${errors.join("\n")}`);
}

function renderApisix(file, args, io) {
  const uri = args.options["--uri"];
  if (!uri) throw new UsageError("render apisix needs --uri, the route's uri (e.g. /aws or /aws/*)");
  if (!uri.startsWith("/")) throw new UsageError(`--uri must start with "/", not ${uri}`);
  const text = readConfig(file, io);
  if (!accepted(text, { host: "apisix", env: placeholderEnv(text), wasm: args.options["--wasm"], quiet: true }, io)) return 1;
  const plugin = parsePlugin(text);
  for (const note of apisixNotes(plugin, uri)) io.stderr.write(`note: ${note}\n`);
  const name = args.options["--name"] ?? PLUGIN_NAME;
  io.stdout.write(`${JSON.stringify(apisixRoute(plugin, { uri, name }), null, 2)}\n`);
  if (plugin.mode === "proxy") for (const note of apisixProxyNotes(plugin)) io.stderr.write(`note: ${note}\n`);
  // stderr, so that stdout stays an Admin API body that pipes into curl.
  const configYaml = passApisixVariables(apisixConfigYaml(plugin, { name, file: args.options["--wasm-path"] ?? APISIX_WASM_PATH }),
    apiKeyVariables(plugin));
  io.stderr.write(`note: conf/config.yaml declares the plugin (restart APISIX once after adding it):\n${YAML.stringify(configYaml)}`);
  return 0;
}

/** Runs one command; returns the exit code. `io` = {stdout, stderr, env, readStdin}. */
export function main(argv, io) {
  try {
    const args = parseArgs(argv);
    const [command, target] = args.positional;
    if (args.options["--help"] || args.options["-h"] || command === "help") {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command === undefined) throw new UsageError("missing command");
    if (command === "validate") return validate(args, io);
    if (command === "render" && target === "envoy") return renderEnvoy(args.positional[2], args, io);
    if (command === "render" && target === "apisix") return renderApisix(args.positional[2], args, io);
    if (command === "render") throw new UsageError(`render what? envoy or apisix, not ${target ?? "nothing"}`);
    throw new UsageError(`unknown command ${command}`);
  } catch (error) {
    if (error instanceof UsageError) io.stderr.write(`aws-lambda-wasm: ${error.message}\n\n${USAGE}\n`);
    else if (error instanceof InputError) io.stderr.write(`aws-lambda-wasm: ${error.message}\n`);
    else throw error;
    return 2;
  }
}
