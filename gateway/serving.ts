// The config the gateway serves: applying one (configure a new root context; on success derive where its
// callouts go, start its stand-ins, switch), and what to tell the user about it — the routes, a --route
// outside its path_prefix, an upstream APISIX cannot call, variables the VM lacks.
import type { Host } from "../emulator/index.ts";
import { pluginFacts, runsLocally, type PluginFacts } from "./plugin-facts.ts";
import { type Router, routesFor } from "./routing.ts";
import { StandIns } from "./stand-ins.ts";
import { environmentSecrets } from "./trace.ts";

/** Old stand-ins serve requests of the previous config this long after a switch. */
const RETIRE_AFTER_MS = 30_000;

export interface Applied {
  rootId: number;
  plugin: any;
  facts: PluginFacts;
  /** Secrets to redact in traces. */
  secrets: string[];
}

export class Serving {
  current?: Applied;
  private standIns: StandIns | null = null;
  /** Stand-ins of earlier configs, until they are retired. */
  private readonly retiring = new Set<StandIns>();

  constructor(readonly host: Host, readonly router: Router, private readonly env: Record<string, string>, private readonly forceLocal: boolean,
    private readonly say: (line: string) => void) {}

  /**
   * Applies `text`; resolves whether the filter accepted it. A refused edit leaves the current config serving on
   * Envoy (xDS rejects it); on APISIX, whose Admin API stores any conf, the route then answers 503 until the
   * config is fixed, as APISIX does.
   */
  async apply(text: string, route: string): Promise<boolean> {
    const next = this.host.configure(text);
    const hints = next.accepted ? [] : refusalHints(this.host, this.env);
    this.flushLogs();
    if (!next.accepted) {
      for (const hint of hints) this.say(hint);
      const current = this.current;
      if (this.host.profile === "apisix" && current) {
        current.rootId = next.rootId;
        this.say("as on APISIX, the route answers 503 until the config is fixed");
      } else {
        this.host.deleteRoot(next.rootId);
      }
      return false;
    }
    const plugin = JSON.parse(text);
    const facts = pluginFacts(plugin, this.env);
    const local = runsLocally(facts, this.forceLocal);
    const standIns = local ? await StandIns.start(plugin, facts, this.env) : null;
    const routes = routesFor(facts, standIns);
    this.router.apply(routes, facts);
    const previous = this.standIns;
    this.standIns = standIns;
    this.current = { rootId: next.rootId, plugin, facts, secrets: [...facts.secrets, ...environmentSecrets(this.env, facts.apiKeyVariable), ...(facts.apiKey ? [facts.apiKey] : [])] };
    if (previous) this.retire(previous);
    for (const r of routes) this.say(`callouts to "${r.upstream}" go to ${r.what}${r.url !== r.what ? ` at ${r.url}` : ""}`);
    if (facts.proxy) {
      this.say(`proxy mode: the route carries requests for ${new URL(facts.target.origin).host} to ${routes[0].what}${routes[0].url !== routes[0].what ? ` at ${routes[0].url}` : ""}, `
        + "and responses stream through the filter");
    }
    if (local && !this.forceLocal) this.say(facts.invoke ? "(a Lambda ARN without its own upstream runs on the local Invoke API)"
      : "(the example endpoint — the APISIX docs' or examples/proxy/'s — runs on the demo function; --local does that for any config)");
    for (const warning of this.warnings(facts, route)) this.say(`warning: ${warning}`);
    return true;
  }

  private warnings(facts: PluginFacts, route: string): string[] {
    const found: string[] = [];
    const prefix = facts.pathPrefix;
    if (prefix !== undefined && prefix !== "" && route !== prefix && !route.startsWith(`${prefix}/`)) {
      found.push(`--route "${route || "/"}" is not within the config's path_prefix "${prefix}": the filter answers 404 to requests outside "${prefix}"`);
    }
    if (facts.apiKeyVariable && !this.env[facts.apiKeyVariable]) found.push(`${facts.apiKeyVariable} is not in the VM environment`);
    return found;
  }

  /** Prints and forgets what the host recorded: the filter's log lines and the host's own events. */
  flushLogs(): void {
    for (const entry of this.host.getLogs()) this.say(`[${entry.hostLevel}] ${entry.message}`);
    for (const event of this.host.getHostEvents()) this.say(`[host] ${event}`);
    this.host.forget();
    this.standIns?.forget();
  }

  private retire(standIns: StandIns): void {
    this.retiring.add(standIns);
    setTimeout(() => {
      if (this.retiring.delete(standIns)) void standIns.close();
    }, RETIRE_AFTER_MS).unref();
  }

  async close(): Promise<void> {
    const all = [...this.retiring, ...(this.standIns ? [this.standIns] : [])];
    this.retiring.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}

/** What to do about a refusal the user can fix from the shell. */
function refusalHints(host: Host, env: Record<string, string>): string[] {
  const text = host.getLogs().map((l) => l.message).join("\n");
  const hints: string[] = [];
  const missing = [...text.matchAll(/([A-Z][A-Z0-9_]*(?:, [A-Z][A-Z0-9_]*)*) missing from the VM environment/g)].flatMap((m) => m[1].split(", "));
  if (missing.some((name) => name.startsWith("AWS_"))) {
    hints.push("hint: the VM gets the AWS_* variables of the environment npm start runs in; the local stand-ins accept any keys, e.g.",
      "  AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example npm start -- --config …");
  }
  for (const name of missing.filter((n) => !n.startsWith("AWS_"))) {
    hints.push(env[name] === undefined ? `hint: set ${name} (the API key) in the environment and start the gateway again: the VM environment is fixed at start`
      : `hint: ${name} is empty`);
  }
  return hints;
}
