// The filter's configure path through the project's proxy-wasm host emulator (../emulator/): load the
// module as the gateway would, create a root context, deliver the plugin config, collect what the
// filter logs. The emulator is TypeScript: the bin registers tsx before loading the CLI.
import { DEFAULT_WASM, Host } from "../emulator/index.ts";

export { DEFAULT_WASM };

/**
 * Runs the module's configure path on `config` as `host` would.
 * @param {{config: string|Uint8Array, host?: "envoy"|"apisix", env?: Record<string,string>, wasmPath?: string, rootId?: string}} options
 * @returns {{accepted: boolean, logs: {level: string, message: string}[], trap?: string, hostEvents: string[]}}
 */
export function configureFilter({ config, host = "envoy", env = {}, wasmPath = DEFAULT_WASM, rootId }) {
  if (host !== "envoy" && host !== "apisix") throw new Error(`unknown host "${host}" (envoy or apisix)`);
  const emulated = Host.loadSync({ profile: host, wasm: wasmPath, env, ...(rootId ? { pluginRootId: rootId } : {}) });
  const { accepted } = emulated.configure(typeof config === "string" ? Buffer.from(config) : config);
  const logs = emulated.getLogs().map(({ levelName, message }) => ({ level: levelName, message }));
  return { accepted, logs, ...(emulated.trap ? { trap: emulated.trap.message } : {}), hostEvents: emulated.getHostEvents() };
}
