// A stand-in for the APISIX docs' Lambda behind API Gateway, on loopback: answers "Hello, <name>!" with
// the headers API Gateway adds, so the local gateway can be tried on a machine with no network.
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";

/** Starts the demo function on 127.0.0.1:`port` (0 = any free port) and resolves with the server. */
export function startDemoFunction(port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      let name = url.searchParams.get("name");
      if (!name && chunks.length > 0) {
        try { name = JSON.parse(Buffer.concat(chunks).toString("utf8")).name ?? null; } catch { /* not JSON */ }
      }
      const body = JSON.stringify(`Hello, ${name ?? "World"}!`);
      res.writeHead(200, {
        "content-type": "application/json",
        "x-amzn-requestid": randomUUID(),
        "x-amz-apigw-id": "demo" + Date.now().toString(36),
        "x-amzn-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-demo;Sampled=0`,
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
