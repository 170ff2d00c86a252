// Loads the real filter in the emulator with its callouts pointed at a loopback endpoint: on Envoy
// through clusters named like the filter's upstream, on APISIX by resolving any upstream there.
import { Host, type HostOptions, type Profile, type Reply } from "../../emulator/index.ts";
import type { AwsEndpoint } from "./aws-endpoint.ts";

export const PROFILES: Profile[] = ["envoy", "apisix"];

/** The APISIX docs' seed function host. */
export const SEED_HOST = "x9w6z07gb9.execute-api.us-east-1.amazonaws.com";

/**
 * A host whose callouts reach `endpoint`. `upstreams` are the Envoy cluster names that exist (the
 * filter's default upstream is function_uri's host); on APISIX every upstream resolves to the endpoint
 * except those listed in `unresolvable`.
 */
export async function filterHost(profile: Profile, endpoint: AwsEndpoint | null, options: {
  upstreams?: string[]; unresolvable?: string[]; host?: Partial<HostOptions>;
} = {}): Promise<Host> {
  const base = endpoint?.url ?? "http://127.0.0.1:9";
  const upstreams = options.upstreams ?? [SEED_HOST, endpoint?.authority ?? ""];
  return Host.load({
    profile,
    // Envoy's PluginConfig as README configures it, so request bodies reach the filter.
    allowOnHeadersStopIteration: true,
    callouts: "http",
    clusters: Object.fromEntries(upstreams.map((name) => [name, base])),
    resolve: (authority) => (options.unresolvable?.includes(authority) ? null : base),
    ...options.host,
  });
}

/** Configures a root and fails loudly when the filter refuses the config. */
export function configure(host: Host, config: object | string): number {
  const root = host.configure(config);
  if (!root.accepted) throw new Error(`config refused: ${host.getLogs().map((l) => l.message).join(" | ")}`);
  return root.rootId;
}

/** The reply body parsed as JSON. */
export function json(reply: Reply): any {
  return JSON.parse(reply.body.toString("utf8"));
}

/** A response header's values. */
export function headerValues(pairs: [string, string][], name: string): string[] {
  return pairs.filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
}
