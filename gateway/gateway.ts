// The local gateway: an HTTP server on 127.0.0.1 that sends the route's requests through the real
// build/aws-lambda.wasm in the project's proxy-wasm host emulator, with real callouts (to the stand-ins or
// the real endpoints, routing.ts), one log line per request, the filter's metrics on /__metrics, and the
// watched config file. Arguments and files are checked before anything is built (options.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { Host, type ClientSink, type Reply } from "../emulator/index.ts";
import { ensureReleaseBuilt } from "./build.ts";
import { prometheusText } from "./metrics.ts";
import { readConfigSource, routeFromUri } from "./config-source.ts";
import { type GatewayOptions, StartError } from "./options.ts";
import { Ticker } from "./ticker.ts";
import { Router } from "./routing.ts";
import { Serving } from "./serving.ts";
import { traceLines } from "./trace.ts";
import { watchConfig } from "./watch.ts";

/** The seed scenario: the APISIX docs' API Gateway function, served by the demo function. */
const DEMO_URI = "https://x9w6z07gb9.execute-api.us-east-1.amazonaws.com/default/test-apisix";
export const METRICS_PATH = "/__metrics";

/** The config was refused at start: exit 1. */
export class RefusedError extends Error {}

export interface GatewayIo {
  out(line: string): void;
}

export interface Gateway {
  port: number;
  route: string;
  close(): Promise<void>;
}

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/** The VM environment: every AWS_* variable (keys, AWS_CONTAINER_*, AWS_EC2_METADATA_*) and those named. */
export function vmEnvironment(env: NodeJS.ProcessEnv, named: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] =>
    e[1] !== undefined && (e[0].startsWith("AWS_") || named.includes(e[0]))));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE"
      ? new StartError(`port ${port} on 127.0.0.1 is in use (another gateway?): choose another with --port`)
      : new StartError(`cannot listen on 127.0.0.1:${port}: ${error.message}`)));
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** "callout 3.1 ms, x-amzn-requestid …, connect-failure: …" for the request line. */
function outcome(reply: Reply, events: string[]): string {
  const parts = [reply.calloutMs === undefined ? "no callout" : `callout ${reply.calloutMs.toFixed(1)} ms`];
  const requestId = reply.headers.find(([k]) => k.toLowerCase() === "x-amzn-requestid")?.[1];
  if (requestId) parts.push(`x-amzn-requestid ${requestId}`);
  const failure = events.map((e) => /^http call failed \(([^)]+)\): (.*)$/s.exec(e)).filter((m) => m !== null).at(-1);
  if (failure) parts.push(`${failure[1]}: ${failure[2].trim()}`);
  return parts.join(", ");
}

/** Starts the gateway; rejects with StartError (exit 2), RefusedError (exit 1). */
export async function startGateway(options: GatewayOptions, io: GatewayIo, env: NodeJS.ProcessEnv = process.env): Promise<Gateway> {
  const say = (line: string) => io.out(`${stamp()} ${line}`);
  const source = options.configFile ? readConfigSource(options.configFile) : undefined;
  let named: string[] = [];
  try { named = source ? [JSON.parse(source.text).authorization?.apikey_env].filter((n) => typeof n === "string") : []; } catch { /* the filter reports it */ }
  const text = source?.text ?? JSON.stringify({
    function_uri: DEMO_URI, path_prefix: options.route === "" ? "/" : options.route ?? "/aws", ...(options.mode === "proxy" ? { mode: "proxy" } : {}),
  });
  let prefix: string | undefined;
  try { prefix = JSON.parse(text).path_prefix; } catch { /* idem */ }
  const route = options.route ?? (source?.routeUri !== undefined ? routeFromUri(source.routeUri) : typeof prefix === "string" ? prefix.replace(/\/+$/, "") : "/aws");

  let serving: Serving | undefined;
  let ticker: Ticker | undefined;
  const server = createServer((req, res) => void handle(req, res));
  const port = await listen(server, options.port);
  try {
    if (!(await ensureReleaseBuilt(say))) throw new StartError("the build failed (see above)");
    const vmEnv = vmEnvironment(env, named);
    // The emulated host reads the routes of the serving config at each callout (Envoy clusters, APISIX resolver).
    const router = new Router();
    // allow_on_headers_stop_iteration as the README configures Envoy, so request bodies reach the filter.
    const host = await Host.load({ profile: options.profile, allowOnHeadersStopIteration: true, callouts: "http", env: vmEnv,
      clusters: router.clusters, resolve: router.resolve, routes: router.routes, upstream: router.upstream,
      // A stream may run long: as README configures the route for proxy mode (timeout 0, idle timeout instead).
      routeTimeoutMs: 0, bufferLimitBytes: 8 * 1024 * 1024 });
    serving = new Serving(host, router, vmEnv, options.local, say);
    const current = serving;
    ticker = new Ticker(host, () => current.current?.rootId, (message) => say(`[host] ${message}`));
    if (!(await serving.apply(text, route))) throw new RefusedError("the plugin config was refused (see above); fix it and try again");
  } catch (error) {
    server.close();
    ticker?.stop();
    await serving?.close();
    throw error;
  }
  const live = serving;
  const stopWatching = options.configFile ? watchConfig(options.configFile, live, route, say) : () => {};

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const pathOnly = path.split("?")[0];
    if (!live?.current) {
      res.writeHead(503, { "content-type": "application/json" }).end('{"error":"gateway","message":"starting"}\n');
      return;
    }
    if (pathOnly === METRICS_PATH) {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(prometheusText(live.host.getMetrics(), options.profile));
      return;
    }
    if (route !== "" && pathOnly !== route && !pathOnly.startsWith(`${route}/`)) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error_msg":"404 Route Not Found"}\n');
      say(`${req.method} ${pathOnly} -> 404 (outside the route ${route})`);
      return;
    }
    const body = await buffer(req);
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i].toLowerCase();
      if (name !== "host") headers.push([name, req.rawHeaders[i + 1]]);
    }
    const applied = live.current;
    const started = performance.now();
    // A proxied response goes to the client as the host sends it on, piece by piece.
    const client = streamTo(res);
    const reply = await live.host.request(applied.rootId, {
      method: req.method, path, authority: req.headers.host ?? "localhost", scheme: "http", headers,
      body: body.length > 0 ? body : undefined,
    }, { client });
    if (options.trace) {
      for (const callout of live.host.getCallouts()) {
        for (const line of traceLines(callout, live.router.describe(callout.upstream), applied.secrets)) say(line);
      }
    }
    const events = live.host.getHostEvents();
    live.flushLogs();
    if (client.started) {
      const exchange = reply.proxied!;
      const first = exchange.chunks[0] ? `first byte after ${(exchange.chunks[0].at - started).toFixed(1)} ms` : "no body";
      const ended = exchange.complete ? "" : `, cut: ${exchange.reset ?? "incomplete"}`;
      say(`${req.method} ${pathOnly} -> ${reply.status} (proxied: ${exchange.chunks.length} chunks, ${reply.body.length} bytes, ${first}${ended}${
        reply.headers.find(([k]) => k === "x-amzn-requestid") ? `, x-amzn-requestid ${reply.headers.find(([k]) => k === "x-amzn-requestid")![1]}` : ""})`);
      return;
    }
    if (reply.status < 100) {
      // The filter neither answered nor called out (continued, stalled or VM failed): say so plainly.
      const why = reply.continued ? "the filter let the request continue, and this gateway has no upstream" : reply.stalled ?? "no reply";
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: "gateway", message: why }) + "\n");
      say(`${req.method} ${pathOnly} -> 502 (${why})`);
      return;
    }
    for (const [name, value] of reply.headers) res.appendHeader(name, value);
    res.statusCode = reply.status;
    res.end(reply.body);
    say(`${req.method} ${pathOnly} -> ${reply.status} (${outcome(reply, events)})`);
  }

  say(`gateway (${options.profile} profile) listening on http://127.0.0.1:${port}${route || "/"}`);
  say(`try: curl -i 'localhost:${port}${route}${tryPath(live.current!.plugin)}'  (metrics: curl localhost:${port}${METRICS_PATH})`);
  if (live.current!.facts.proxy) {
    say(`stream: curl -N 'localhost:${port}${route}/stream?n=5&gap=300'${live.current!.facts.invoke ? " -d '{}'" : ""}  (chunks arrive one by one through the filter)`);
  } else if (!options.configFile) {
    say(`callout mode answers once the function is done: npm start -- --mode proxy streams (curl -N 'localhost:${port}${route}/stream')`);
  }
  return {
    port,
    route,
    async close() {
      stopWatching();
      ticker?.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await live.close();
    },
  };
}

/** A ClientSink writing a proxied response to `res` as it comes; `started` once its head was written. */
function streamTo(res: ServerResponse): ClientSink & { started: boolean } {
  return {
    started: false,
    head(status, headers) {
      this.started = true;
      res.statusCode = status;
      for (const [name, value] of headers) if (name !== "transfer-encoding") res.appendHeader(name, value);
      res.flushHeaders();
    },
    chunk: (bytes) => void res.write(bytes),
    end: () => void res.end(),
    abort: () => void res.destroy(),
  };
}

/** What to append to the route for a first request: a function name when the path picks one, and a name. */
function tryPath(plugin: any): string {
  const fn = Array.isArray(plugin.allowed_functions) ? `/${plugin.allowed_functions[0]}` : "";
  return `${fn}?name=APISIX`;
}
