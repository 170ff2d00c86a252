// Where each callout of the applied config goes: the Envoy clusters and the APISIX host:port mapping the
// emulated host uses, derived from every applied config (as if the gateway's cluster config followed it).
// Stand-ins when the config runs locally, else the real origins.
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
  private current = new Map<string, Route>();

  apply(routes: Route[]): void {
    this.current = new Map(routes.map((r) => [r.upstream, r]));
    for (const route of routes) this.clusters[route.upstream] = route.url;
  }

  /** APISIX: the upstream host:port the filter named → base URL (unknown ones are called as named). */
  readonly resolve = (authority: string, scheme: string): string => this.current.get(authority)?.url ?? this.clusters[authority] ?? `${scheme}://${authority}`;

  /** The route of an upstream, for the trace. */
  describe(upstream: string): string {
    return this.current.get(upstream)?.what ?? (this.clusters[upstream] ? this.clusters[upstream] : "no route");
  }
}
