// `npm start`: a local gateway on 127.0.0.1:9080 that runs the real build/aws-lambda.wasm in the project's
// proxy-wasm host, routes /aws and /aws/* through it (as the APISIX docs' examples do) and, unless
// --config names another plugin config, forwards to a bundled demo function on loopback.
//
//   npm start                                   # then: curl -i 'localhost:9080/aws?name=APISIX'
//   npm start -- --config my-plugin.json        # any plugin config, e.g. a real function_uri
//   npm start -- --host envoy --port 8080       # drive the filter the way Envoy does
//
// The config file is watched: an edit is applied without a restart. A refused edit leaves the old config
// serving on Envoy (xDS rejects it); on APISIX, whose Admin API stores any conf, the route answers 503 until
// the config is fixed — the gateway does what the host it imitates does.
import { createServer, type IncomingMessage } from "node:http";
import { readFileSync, watchFile } from "node:fs";
import { parseArgs } from "node:util";
import { Host, type Profile } from "../emulator/index.ts";
import { startDemoFunction } from "./demo-function.ts";
import { functionEndpoint, upstreamName } from "../cli/render-envoy.mjs";

const { values: args } = parseArgs({
  options: {
    config: { type: "string" },
    host: { type: "string", default: "apisix" },
    port: { type: "string", default: "9080" },
    "demo-port": { type: "string", default: "9081" },
    route: { type: "string", default: "/aws" },
  },
});
const profile = args.host as Profile;
if (profile !== "envoy" && profile !== "apisix") throw new Error(`--host must be envoy or apisix, not ${args.host}`);
const route = args.route!.replace(/\/+$/, "");

function stamp(): string {
  return new Date().toISOString().slice(11, 23);
}

async function demoConfig(): Promise<string> {
  const demo = await startDemoFunction(Number(args["demo-port"]));
  const address = demo.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`${stamp()} demo function listening on http://127.0.0.1:${port}/default/test-apisix`);
  return JSON.stringify({ function_uri: `http://127.0.0.1:${port}/default/test-apisix`, path_prefix: route }, null, 2);
}

/** Envoy needs a cluster per upstream name: point it at the function's (or Invoke API's) endpoint. */
function clustersFor(configText: string): Record<string, string> {
  try {
    const plugin = JSON.parse(configText);
    const endpoint = functionEndpoint(plugin);
    return { [upstreamName(plugin)]: `${endpoint.scheme}://${endpoint.authority}` };
  } catch {
    return {};
  }
}

const configText = args.config ? readFileSync(args.config, "utf8") : await demoConfig();
// allow_on_headers_stop_iteration as README configures Envoy, so request bodies reach the filter.
const host = await Host.load({ profile, allowOnHeadersStopIteration: true, callouts: "http", clusters: clustersFor(configText) });
const printLogs = () => {
  for (const entry of host.getLogs()) console.log(`${stamp()} [${entry.hostLevel}] ${entry.message}`);
  host.clearLogs();
};

let root = host.configure(configText);
printLogs();
if (!root.accepted) {
  console.error(`${stamp()} the plugin config was refused (see above); fix it and try again`);
  process.exit(1);
}

if (args.config) {
  const file = args.config;
  watchFile(file, { interval: 500 }, () => {
    const text = readFileSync(file, "utf8");
    const next = host.configure(text);
    printLogs();
    if (next.accepted) {
      root = next;
      console.log(`${stamp()} applied the new config from ${file} (root context ${next.rootId})`);
    } else if (profile === "apisix") {
      root = next;
      console.log(`${stamp()} the new config was refused: as on APISIX, the route answers 503 until it is fixed`);
    } else {
      console.log(`${stamp()} kept the previous config: the new one was refused`);
    }
  });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const server = createServer(async (req, res) => {
  const path = req.url ?? "/";
  const pathOnly = path.split("?")[0];
  if (pathOnly !== route && !pathOnly.startsWith(route + "/")) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error_msg":"404 Route Not Found"}\n');
    console.log(`${stamp()} ${req.method} ${pathOnly} -> 404 (no route)`);
    return;
  }
  const body = await readBody(req);
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (name !== "host") headers.push([name, req.rawHeaders[i + 1]]);
  }
  const reply = await host.request(root.rootId, {
    method: req.method, path, authority: req.headers.host ?? "localhost", scheme: "http", headers,
    body: body.length > 0 ? body : undefined,
  });
  printLogs();
  if (reply.status < 100) {
    // The filter neither answered nor called out (continued, stalled or VM failed): say so plainly.
    const why = reply.continued ? "the filter let the request continue, and this gateway has no upstream" : reply.stalled ?? "no reply";
    res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ error: "gateway", message: why }) + "\n");
    console.log(`${stamp()} ${req.method} ${pathOnly} -> 502 (${why})`);
    return;
  }
  for (const [name, value] of reply.headers) res.appendHeader(name, value);
  res.statusCode = reply.status;
  res.end(reply.body);
  const callout = reply.calloutMs === undefined ? "no callout" : `callout ${reply.calloutMs.toFixed(1)} ms`;
  console.log(`${stamp()} ${req.method} ${pathOnly} -> ${reply.status} (${callout})`);
});

server.listen(Number(args.port), "127.0.0.1", () => {
  console.log(`${stamp()} gateway (${profile} profile) listening on http://127.0.0.1:${args.port}${route}`);
  console.log(`${stamp()} try: curl -i 'localhost:${args.port}${route}?name=APISIX'`);
});
