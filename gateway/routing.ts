// Where each callout of the applied config goes: the Envoy clusters and the APISIX host:port mapping the
// emulated host uses, derived from every applied config (as if the gateway's cluster config followed it).
// Stand-ins when the config runs locally, else the real origins. In proxy mode the request itself goes
// there too: Envoy's virtual host for the function's authority routes to its cluster, APISIX's route
// upstream is the function host:443 (pass_host "pass", as README configures both).
import type { ApisixUpstream } from "../emulator/index.ts";
import type { PluginFacts } from "./plugin-facts.ts";
import type { StandIns } from "./stand-ins.ts";

/** One callout target: the filter's upstream, the base URL it reaches, and what that is in words. */
export interface Route {
  upstream: string;
  url: string;
  what: string;
}

/** The routes of one config: its function and credential endpoints, to the stand-ins or for real. */
export function routesFor(facts: PluginFacts, standIns: StandIns | null): Route[] {
  const routes: Route[] = [{
    upstream: facts.target.upstream,
    url: standIns ? standIns.functionUrl : facts.target.origin,
    what: standIns ? standIns.description : facts.target.origin,
  }];
  for (const endpoint of facts.credentialEndpoints) {
    const sts = /^https?:\/\/sts[.-]/.test(endpoint.origin);
    if (!standIns) routes.push({ upstream: endpoint.upstream, url: endpoint.origin, what: endpoint.origin });
    else if (sts) routes.push({ upstream: endpoint.upstream, url: standIns.stsUrl, what: `the local STS (stands in for ${endpoint.origin})` });
    else routes.push({ upstream: endpoint.upstream, url: standIns.metadataUrl, what: `the local credentials endpoint (stands in for ${endpoint.origin})` });
  }
  return routes;
}

/** The emulated host's view of the routes: Envoy clusters (a record the host reads per call) and APISIX's resolver. */
export class Router {
  /** Envoy cluster name → base URL; entries of earlier configs stay (their requests may still run). */
  readonly clusters: Record<string, string> = {};
  /** Envoy's route table (virtual host domain → cluster): the function's authority, for proxy mode. */
  readonly routes: Record<string, string> = {};
  /** APISIX's route upstream, for proxy mode (the node follows the applied config). */
  readonly upstream: ApisixUpstream = { scheme: "https", node: "", passHost: "pass" };
  private current = new Map<string, Route>();

  apply(routes: Route[], facts: PluginFacts): void {
    this.current = new Map(routes.map((r) => [r.upstream, r]));
    for (const route of routes) this.clusters[route.upstream] = route.url;
    const origin = new URL(facts.target.origin);
    this.routes[origin.host] = facts.target.upstream;
    this.upstream.scheme = origin.protocol === "https:" ? "https" : "http";
    this.upstream.node = `${origin.hostname}:${origin.port || (this.upstream.scheme === "https" ? 443 : 80)}`;
  }

  /** APISIX: the upstream host:port the filter named (or the route's node) → base URL (unknown ones are called as named). */
  readonly resolve = (authority: string, scheme: string): string => {
    const bare = authority.replace(/:(443|80)$/, "");
    return this.current.get(authority)?.url ?? this.current.get(bare)?.url ?? this.clusters[authority] ?? this.clusters[bare] ?? `${scheme}://${authority}`;
  };

  /** The route of an upstream, for the trace. */
  describe(upstream: string): string {
    return this.current.get(upstream)?.what ?? (this.clusters[upstream] ? this.clusters[upstream] : "no route");
  }
}
