// `npm start -- …`: the gateway's options, checked before anything is built or started. Every problem is
// one line and exit 2; `--help` explains each option.
import { accessSync, constants, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Profile } from "../emulator/index.ts";
import { PLUGIN_NAME } from "../cli/render-apisix.mjs";

export const HELP = `npm start [-- OPTIONS]   a local gateway running build/aws-lambda.wasm in the project's proxy-wasm host

  --config FILE     the plugin config to run: a JSON plugin config, an APISIX route (JSON) whose
                    "${PLUGIN_NAME}" plugin carries one, or Envoy / Istio / Envoy Gateway YAML that
                    embeds exactly one. Relative to the folder you ran npm start in.
                    Watched: an edit applies without a restart; a refused edit, or deleting the file,
                    keeps the last good config serving. Default: the demo config, calling the bundled
                    demo function.
  --host envoy|apisix
                    drive the filter as that host does: body delivery, callout targets (Envoy clusters,
                    APISIX host:port), failure shapes, metrics (Envoy only). Default: apisix.
  --port N          the gateway's port on 127.0.0.1. Default: 9080.
  --mode callout|proxy
                    the demo config's mode (without --config; a config file says its own "mode").
                    proxy: the emulated host's route carries the signed request and the response
                    streams, e.g. curl -N localhost:9080/aws/stream. Default: callout.
  --route PREFIX    the path prefix the gateway sends through the filter ("/" for every path).
                    Default: the config's path_prefix, an APISIX route's uri, else /aws. A route outside
                    the config's path_prefix is warned about: the filter answers 404 there.
  --local           send every callout to the bundled stand-ins: the demo function (URL configs),
                    the local Invoke API (Lambda ARNs) and a local instance-metadata / container
                    credentials endpoint. Without it, only ARN configs without "upstream" and the
                    APISIX docs' example endpoints (x9w6z07gb9…, ajycz5e0v9…) and the proxy examples'
                    Function URL (example0function0url…) go to the stand-ins;
                    anything else is called for real.
  --trace           print every callout the filter makes: method, path, headers (authorization,
                    x-amz-security-token, x-api-key, metadata tokens and any AWS_* value redacted) and
                    body size.
  -h, --help        this text.

The filter's VM gets every AWS_* variable of your environment (keys, AWS_CONTAINER_*, AWS_EC2_METADATA_*)
and the variable authorization.apikey_env names, as Envoy's vm_config.environment_variables would. The
stand-ins accept any keys you give, e.g.
  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example npm start -- --config examples/invoke/plugin-v2.json
GET /__metrics answers the filter's metrics as Prometheus text (Envoy profile; APISIX has no wasm metrics).
Options go after "--": npm start -- --host envoy. Exit 2: bad options or files; exit 1: config refused.`;

/** A problem with the options or files: one line, exit 2. */
export class StartError extends Error {}

export interface GatewayOptions {
  /** Absolute path of --config, if given. */
  configFile?: string;
  profile: Profile;
  port: number;
  /** --mode: the demo config's mode (only without --config). */
  mode?: "callout" | "proxy";
  /** --route as given, normalised ("" = every path); undefined = from the config. */
  route?: string;
  local: boolean;
  trace: boolean;
  help: boolean;
}

/** "/aws/" → "/aws", "/" → "" (every path); null when it does not start with "/". */
export function normaliseRoute(route: string): string | null {
  if (!route.startsWith("/")) return null;
  return route.replace(/\/+$/, "");
}

/** Parses `argv` (after "--"); `cwd` is the folder npm start ran in (INIT_CWD). Throws StartError. */
export function parseOptions(argv: string[], cwd: string): GatewayOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" }, host: { type: "string" }, mode: { type: "string" }, port: { type: "string" }, route: { type: "string" },
        local: { type: "boolean" }, trace: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // node:util's messages are long and end in advice for script authors: keep the first sentence.
    const first = (error as Error).message.split(/\. |\n/)[0].replace(/^Unknown option '([^']+)'/, "unknown option $1");
    throw new StartError(`${first} (npm start -- --help lists the options)`);
  }
  const host = values.host ?? "apisix";
  if (host !== "envoy" && host !== "apisix") throw new StartError(`--host must be envoy or apisix, not ${host}`);
  const portText = values.port ?? "9080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new StartError(`--port must be a port number (0-65535), not ${portText}`);
  let route: string | undefined;
  if (values.route !== undefined) {
    const normalised = normaliseRoute(values.route);
    if (normalised === null) throw new StartError(`--route must start with "/", not ${values.route}`);
    route = normalised;
  }
  let configFile: string | undefined;
  if (values.config !== undefined) {
    configFile = resolve(cwd, values.config);
    checkReadable(values.config, configFile);
  }
  const mode = values.mode;
  if (mode !== undefined && mode !== "callout" && mode !== "proxy") throw new StartError(`--mode must be callout or proxy, not ${mode}`);
  if (mode !== undefined && values.config !== undefined) {
    throw new StartError(`--mode sets the demo config's mode: with --config, set "mode" in ${values.config}`);
  }
  return { configFile, mode, profile: host, port, route, local: values.local ?? false, trace: values.trace ?? false, help: values.help ?? false };
}

function checkReadable(given: string, path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new StartError(`--config ${given}: is a directory, not a plugin config`);
    accessSync(path, constants.R_OK);
  } catch (error) {
    if (error instanceof StartError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartError(`--config ${given}: ${code === "ENOENT" ? `no such file (looked for ${path})` : code === "EACCES" ? "not readable" : (error as Error).message}`);
  }
}
