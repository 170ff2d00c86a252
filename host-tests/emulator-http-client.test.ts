// The emulator's real callouts say why one failed without a response: the system error code for a
// refused connection, "TLS: …" for a failed handshake, "DNS: …" for a failed name lookup — and the host
// event the gateway prints carries it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, send } from "../emulator/http-client.ts";
import { Host } from "../emulator/index.ts";

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const target = (url: string) => ({ url: new URL(url), path: "/", method: "GET", headers: [] as [string, string][], body: Buffer.alloc(0), timeoutMs: 2000 });

test("a refused connection names ECONNREFUSED", async () => {
  const port = await closedPort();
  const r = await send(target(`http://127.0.0.1:${port}`));
  assert.equal(r.kind, "connect-failure");
  assert.match(r.kind === "response" ? "" : r.detail, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
});

test("https to a plain-HTTP server fails the handshake, said as TLS", async () => {
  const server = createServer((_req, res) => res.end("plain"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const r = await send(target(`https://127.0.0.1:${(server.address() as AddressInfo).port}`));
    assert.equal(r.kind, "connect-failure");
    assert.match(r.kind === "response" ? "" : r.detail, /^TLS: /);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("name lookups, certificates and bare codes are described (no network needed)", () => {
  const error = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
  assert.equal(describeError(error("getaddrinfo ENOTFOUND fn.example", "ENOTFOUND")), "DNS: getaddrinfo ENOTFOUND fn.example");
  assert.equal(describeError(error("getaddrinfo EAI_AGAIN fn.example", "EAI_AGAIN")), "DNS: getaddrinfo EAI_AGAIN fn.example");
  assert.equal(describeError(error("self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT")),
    "TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)");
  assert.equal(describeError(error("Hostname/IP does not match certificate's altnames", "ERR_TLS_CERT_ALTNAME_INVALID")),
    "TLS: Hostname/IP does not match certificate's altnames (ERR_TLS_CERT_ALTNAME_INVALID)");
  assert.equal(describeError(error("socket hang up", "ECONNRESET")), "socket hang up (ECONNRESET)");
});

for (const profile of ["envoy", "apisix"] as const) {
  test(`${profile}: a failed callout leaves its cause in the host events`, async () => {
    const port = await closedPort();
    const host = await Host.load({ profile, callouts: "http", clusters: { fn: `http://127.0.0.1:${port}` }, resolve: () => `http://127.0.0.1:${port}` });
    const { rootId } = host.configure({ function_uri: `http://127.0.0.1:${port}/fn`, upstream: "fn" });
    const reply = await host.request(rootId, { path: "/" });
    assert.equal(reply.status, 503);
    assert.ok(host.getHostEvents().some((e) => /http call failed \(connect-failure\): connect ECONNREFUSED/.test(e)), host.getHostEvents().join("\n"));
  });
}
