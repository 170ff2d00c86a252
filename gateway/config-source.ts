// What a --config file holds: a plugin config (JSON), an APISIX route whose aws-lambda-wasm plugin carries
// one (its uri is then the gateway's route), or Envoy / Istio / Envoy Gateway YAML that embeds one (as
// Envoy's configuration.value string, or as an object: WasmPlugin pluginConfig, EnvoyExtensionPolicy config).
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { PLUGIN_NAME } from "../cli/render-apisix.mjs";
import { StartError } from "./options.ts";

export interface ConfigSource {
  text: string;
  routeUri?: string;
}

const hasFunctionUri = (value: unknown): value is object => value !== null && typeof value === "object" && "function_uri" in value;

/** Plugin configs inside a parsed YAML document, in document order. */
export function embeddedConfigs(node: unknown, found: object[] = []): object[] {
  if (typeof node === "string" && node.includes("function_uri")) {
    try {
      const value = JSON.parse(node);
      if (hasFunctionUri(value)) found.push(value);
    } catch { /* a string that merely mentions it */ }
  } else if (Array.isArray(node)) {
    for (const item of node) embeddedConfigs(item, found);
  } else if (hasFunctionUri(node)) {
    found.push(node);
  } else if (node !== null && typeof node === "object") {
    for (const value of Object.values(node)) embeddedConfigs(value, found);
  }
  return found;
}

function fromYaml(path: string, text: string): ConfigSource {
  let configs: object[];
  try {
    configs = YAML.parseAllDocuments(text).flatMap((doc) => embeddedConfigs(doc.toJS()));
  } catch (error) {
    throw new StartError(`${path} is neither JSON nor YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (configs.length === 1) return { text: JSON.stringify(configs[0]) };
  throw new StartError(configs.length === 0 ? `${path} holds no plugin config (no object with "function_uri")`
    : `${path} holds ${configs.length} plugin configs: copy the one to run into a .json file`);
}

/** Reads a --config file. Throws StartError for a file that carries no plugin config (or several). */
export function readConfigSource(path: string): ConfigSource {
  const text = readFileSync(path, "utf8");
  if (/\.ya?ml$/i.test(path)) return fromYaml(path, text);
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { return { text }; } // the filter says where the JSON breaks
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || !("plugins" in parsed) || "function_uri" in parsed) return { text };
  const plugin = parsed.plugins?.[PLUGIN_NAME];
  const routeUri = typeof parsed.uri === "string" ? parsed.uri : undefined;
  if (!plugin || plugin.conf === undefined) {
    throw new StartError(`${path} is an APISIX route without the ${PLUGIN_NAME} plugin: there is no plugin config to run`);
  }
  return { text: typeof plugin.conf === "string" ? plugin.conf : JSON.stringify(plugin.conf), routeUri };
}

/** An APISIX route uri as a gateway prefix: "/aws/*" → "/aws", "/aws" → "/aws". */
export function routeFromUri(uri: string): string {
  return uri.replace(/\*$/, "").replace(/\/+$/, "");
}
