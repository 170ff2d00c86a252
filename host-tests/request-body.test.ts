// The request body as the hosts deliver it: Envoy hands over the buffer so far on every piece, APISIX the
// whole body once. The filter reads each byte once, hashes each piece when it comes (so only the last piece
// is left to hash at end of stream), sends the whole body, and signs it as a whole; in proxy mode the host
// keeps the body, so it is only hashed (signed requests) or not read at all.
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { BufferType, Host, WasmResult } from "../emulator/index.ts";
import { AwsEndpoint, echo, verifySigV4 } from "./support/aws-endpoint.ts";
import { PROFILES, SEED_HOST, configure, filterHost, json } from "./support/filter-host.ts";

const ACCESS_KEY = "AKIDEXAMPLE";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const IAM = { iam: { accesskey: ACCESS_KEY, secretkey: SECRET_KEY } };
const PIECES = [randomBytes(70000), randomBytes(1), randomBytes(65536), randomBytes(3)];
const WHOLE = Buffer.concat(PIECES);

/** Records every read of the request body (start, bytes handed over) until the returned function is called. */
function recordBodyReads(host: Host): { reads: [number, number][]; stop: () => void } {
  const reads: [number, number][] = [];
  const stop = host.failCopyIntoModule("proxy_get_buffer_bytes", WasmResult.InternalFailure, ([type, start], data) => {
    if (type === BufferType.HttpRequestBody) reads.push([start, data.length]);
    return false; // observe only
  });
  return { reads, stop };
}

/** The [start, length] reads of each new piece: [0, a), [a, a+b), … */
function pieceReads(pieces: Buffer[]): [number, number][] {
  let at = 0;
  return pieces.map((p) => { const read: [number, number] = [at, p.length]; at += p.length; return read; });
}

for (const profile of PROFILES) {
  describe(`${profile}: a body in pieces`, () => {
    let endpoint: AwsEndpoint;
    let open: AwsEndpoint;
    before(async () => {
      endpoint = await AwsEndpoint.start({ region: "us-east-1", service: "execute-api", handler: echo, iam: { [ACCESS_KEY]: { secretKey: SECRET_KEY } } });
      open = await AwsEndpoint.start({ handler: echo });
    });
    after(() => Promise.all([endpoint.close(), open.close()]));

    test("is read once, piece by piece as it comes, sent whole and signed as a whole", async () => {
      const host = await filterHost(profile, endpoint);
      const root = configure(host, { function_uri: `https://${SEED_HOST}`, authorization: IAM });
      const { reads, stop } = recordBodyReads(host);
      try {
        const reply = await host.request(root, { method: "POST", path: "/pieces", headers: { "content-type": "application/octet-stream" }, chunks: PIECES });
        assert.equal(reply.status, 200, reply.body.toString());
      } finally { stop(); }
      assert.ok(endpoint.last.signed, "the endpoint verified the signature");
      assert.ok(endpoint.last.body.equals(WHOLE), "the callout carried the whole body");
      assert.deepEqual(reads, profile === "envoy" ? pieceReads(PIECES) : [[0, WHOLE.length]]);
    });

    test("without IAM nothing is hashed, and the pieces still make the whole body", async () => {
      const host = await filterHost(profile, open);
      const root = configure(host, { function_uri: open.url });
      const reply = await host.request(root, { method: "PUT", path: "/plain", chunks: PIECES });
      assert.equal(reply.status, 200, reply.body.toString());
      assert.equal(json(reply).bodyLength, WHOLE.length);
      assert.ok(open.last.body.equals(WHOLE));
    });
  });
}

describe("envoy: proxy mode keeps the body with the host", () => {
  test("a signed request hashes each piece as it comes; the upstream gets the client's body and a valid signature", async () => {
    const host = await filterHost("envoy", null);
    const root = configure(host, { function_uri: `https://${SEED_HOST}`, mode: "proxy", authorization: IAM });
    const { reads, stop } = recordBodyReads(host);
    let reply;
    try {
      reply = await host.request(root, { method: "POST", path: "/in-place?a=1", headers: { "content-type": "application/octet-stream" }, chunks: PIECES });
    } finally { stop(); }
    assert.ok(reply.continued, JSON.stringify(reply));
    assert.deepEqual(reads, pieceReads(PIECES));
    const upstream = reply.upstreamRequest!;
    assert.ok(upstream.body.equals(WHOLE));
    const headers = upstream.headers.filter(([k]) => !k.startsWith(":"));
    const path = upstream.headers.find(([k]) => k === ":path")![1];
    const authority = upstream.headers.find(([k]) => k === ":authority")![1];
    const question = path.indexOf("?");
    const verdict = await verifySigV4({
      method: "POST", url: path, path: path.slice(0, question), query: path.slice(question + 1),
      headers: [["host", authority], ...headers], body: upstream.body,
    }, { region: "us-east-1", service: "execute-api", iam: { [ACCESS_KEY]: { secretKey: SECRET_KEY } } });
    assert.ok(verdict.ok, JSON.stringify(verdict));
  });

  test("an unsigned request does not read the body at all", async () => {
    const host = await filterHost("envoy", null);
    const root = configure(host, { function_uri: `https://${SEED_HOST}`, mode: "proxy" });
    const { reads, stop } = recordBodyReads(host);
    let reply;
    try {
      reply = await host.request(root, { method: "POST", path: "/in-place", chunks: PIECES });
    } finally { stop(); }
    assert.ok(reply.continued, JSON.stringify(reply));
    assert.deepEqual(reads, []);
    assert.ok(reply.upstreamRequest!.body.equals(WHOLE));
  });
});
