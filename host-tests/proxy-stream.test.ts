// InvokeWithResponseStream in proxy mode on Envoy, end to end: the request rewritten to the streaming
// invocation and signed, the event stream (encoded by @smithy/eventstream-codec at a loopback stand-in)
// decoded as it arrives and each PayloadChunk's bytes sent on at once; frames split across HTTP chunks;
// a bad CRC as a clean failure (502 before the head, the rest dropped after it) with no trap; an
// InvokeComplete with an ErrorCode logged and counted; the HTTP integration prelude setting the client's
// status and headers; non-200 answers read like buffered ones; bodiless requests by callout.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { LogLevel, type Reply } from "../emulator/index.ts";
import { configure, headerValues, json } from "./support/filter-host.ts";
import { throttled } from "./support/invoke-api.ts";
import { KEYS, proxyHost } from "./support/proxy-host.ts";
import { eventStream, StreamingInvokeApi, type StreamedOutput, type Streaming } from "./support/stream-invoke.ts";

const INVOKE_HOST = "lambda.us-east-1.amazonaws.com";
const ARN = "arn:aws:lambda:us-east-1:123456789012:function:tokens";
let api: StreamingInvokeApi;
let output: (event: any) => StreamedOutput = () => ({ writes: ["hello ", "world"] });
let streaming: () => Streaming = () => ({});
let intercept: () => any = () => undefined;

before(async () => {
  api = await StreamingInvokeApi.start({ region: "us-east-1", accessKey: KEYS.accesskey, secretKey: KEYS.secretkey,
    functions: { tokens: (event) => output(event) }, streaming: () => streaming(), intercept: () => intercept() });
});
after(() => api.close());

const CONFIG = { function_uri: ARN, mode: "proxy", response_stream: true, path_prefix: "/gen", authorization: { iam: { ...KEYS } } };

async function envoy() {
  const host = await proxyHost("envoy", INVOKE_HOST, api);
  return { host, root: configure(host, CONFIG) };
}

const post = (body = "{\"prompt\":\"hi\"}") => ({ method: "POST", path: "/gen/chat", body, headers: { "content-type": "application/json" } });
const reset = () => {
  output = () => ({ writes: ["hello ", "world"] });
  streaming = () => ({});
  intercept = () => undefined;
};

describe("envoy: InvokeWithResponseStream in proxy mode", () => {
  test("the request becomes the signed streaming invocation, carried by the route; each chunk's bytes reach the client", async () => {
    reset();
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.body.toString(), "hello world");
    assert.deepEqual(headerValues(r.headers, "content-type"), ["application/octet-stream"]);
    assert.deepEqual(headerValues(r.headers, "x-amzn-requestid"), [`stream-${api.invocations.length}`]);
    const last = api.invocations.at(-1)!;
    assert.equal(last.request.path, `/2021-11-15/functions/${encodeURIComponent(ARN)}/response-streaming-invocations`);
    assert.ok(last.request.signed, "signed for lambda and verified");
    assert.equal(last.event.rawPath, "/chat");
    assert.equal(Buffer.from(last.event.body, last.event.isBase64Encoded ? "base64" : "utf8").toString(), "{\"prompt\":\"hi\"}");
    assert.equal(host.getCallouts().length, 0);
  });

  /**
   * Streams `writes` (three of them) and reports whether the client had a first piece before the function
   * sent its last one (waiting up to 3 s for it), with the reply.
   */
  async function firstBeforeLast(writes: string[]): Promise<{ beforeLast: boolean | undefined; reply: Reply }> {
    reset();
    let first!: () => void;
    const arrived = new Promise<void>((resolve) => (first = resolve));
    let beforeLast: boolean | undefined;
    output = () => ({ writes });
    streaming = () => ({
      beforeChunk: async (i) => {
        if (i === 2) beforeLast = await Promise.race([arrived.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      },
    });
    const { host, root } = await envoy();
    const reply = await host.request(root, post(), { client: { head() {}, chunk: () => first(), end() {}, abort() {} } });
    return { beforeLast, reply };
  }

  test("streaming: the client has the first token before the function's last is sent", async () => {
    const { beforeLast, reply } = await firstBeforeLast(["one ", "two ", "three"]);
    assert.equal(beforeLast, true);
    assert.equal(reply.body.toString(), "one two three");
    assert.ok(reply.proxied!.chunks.length >= 3);
  });

  test("a stream of JSON lines (no prelude) is not held back looking for one: the first line arrives before the last is sent", async () => {
    const lines = ['{"token":"a"}\n', '{"token":"b"}\n', '{"token":"c"}\n'];
    const { beforeLast, reply } = await firstBeforeLast(lines);
    assert.equal(beforeLast, true);
    assert.equal(reply.body.toString(), lines.join(""));
  });

  test("frames split across HTTP chunks anywhere (every byte its own chunk) give the same bytes", async () => {
    reset();
    output = () => ({ writes: ["split ", Buffer.from([0, 1, 2, 255]), " frames"] });
    streaming = () => ({ cuts: (bytes) => Array.from({ length: bytes.length - 1 }, (_, i) => i + 1), gapMs: 0 });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.deepEqual([...r.body], [...Buffer.concat([Buffer.from("split "), Buffer.from([0, 1, 2, 255]), Buffer.from(" frames")])]);
    assert.equal(host.failed, false);
  });

  test("a bad CRC in the first message: a clean 502 aws_lambda_bad_response, no trap", async () => {
    reset();
    streaming = () => ({ corruptAt: () => 20 });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.status, 502);
    assert.equal(json(r).error, "aws_lambda_bad_response");
    assert.match(json(r).message, /CRC/);
    assert.equal(host.failed, false);
  });

  test("a bad CRC after the head went out: the rest is dropped, the stream ends, logged and counted", async () => {
    reset();
    output = () => ({ writes: ["good ", "bad"] });
    streaming = () => ({ corruptAt: (bytes) => bytes.readUInt32BE(0) + 20 });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), "good ");
    assert.equal(r.proxied?.complete, true);
    assert.ok(host.getLogs(LogLevel.Error).some((l) => /CRC; the rest of the response was dropped/.test(l.message)));
    assert.equal(host.getMetrics().get("aws_lambda.bad_response_total")?.value, 1);
    assert.equal(host.failed, false);
  });

  test("InvokeComplete with an ErrorCode: what was written stays sent; the failure is logged and counted", async () => {
    reset();
    output = () => ({ writes: ["partial"], error: { ErrorCode: "Unhandled", ErrorDetails: "boom" } });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.body.toString(), "partial");
    assert.ok(host.getLogs(LogLevel.Warn).some((l) => /failed while streaming \(Unhandled: boom\)/.test(l.message)));
    assert.equal(host.getMetrics().get("aws_lambda.function_error_total")?.value, 1);
  });

  test("a stream that ends without InvokeComplete is logged and counted as a bad response", async () => {
    reset();
    output = () => ({ writes: ["cut"], complete: false });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.body.toString(), "cut");
    assert.equal(host.getMetrics().get("aws_lambda.bad_response_total")?.value, 1);
  });

  test("the HTTP integration prelude, split across chunks, sets the client's status, headers and cookies", async () => {
    reset();
    output = () => ({ prelude: { statusCode: 201, headers: { "content-type": "text/event-stream", "x-app": "1" }, cookies: ["a=1", "b=2"] },
      writes: ["data: x\n\n"] });
    streaming = () => ({ cuts: (bytes) => [7, 30, 31, 50, bytes.length - 3] });
    const { host, root } = await envoy();
    const r = await host.request(root, post());
    assert.equal(r.status, 201);
    assert.deepEqual(headerValues(r.headers, "content-type"), ["text/event-stream"]);
    assert.deepEqual(headerValues(r.headers, "x-app"), ["1"]);
    assert.deepEqual(headerValues(r.headers, "set-cookie"), ["a=1", "b=2"]);
    assert.equal(r.body.toString(), "data: x\n\n");
  });

  test("throttling (429) is read like a buffered answer: the filter's 429 with Retry-After, one attempt", async () => {
    reset();
    intercept = () => throttled("3");
    const { host, root } = await envoy();
    const before = api.invocations.length;
    const r = await host.request(root, post());
    assert.equal(r.status, 429);
    assert.equal(json(r).error, "aws_lambda_throttled");
    assert.deepEqual(headerValues(r.headers, "retry-after"), ["3"]);
    assert.equal(api.invocations.length - before, 1);
  });

  test("a bodiless GET goes by callout (Envoy cannot give a request a body), its stream decoded whole", async () => {
    reset();
    const { host, root } = await envoy();
    const r = await host.request(root, { method: "GET", path: "/gen/chat?q=1" });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.body.toString(), "hello world");
    assert.equal(host.getCallouts().length, 1);
    assert.equal(r.proxied, undefined);
  });

  test("random chunk boundaries of one stream never change the bytes (encoder cross-check)", async () => {
    reset();
    const writes = ["α", "β".repeat(100), Buffer.alloc(3000, 7), "end"];
    output = () => ({ writes });
    const expected = Buffer.concat(writes.map((w) => Buffer.from(w)));
    const { host, root } = await envoy();
    for (let seed = 1; seed <= 5; seed++) {
      streaming = () => ({ cuts: (bytes) => Array.from({ length: 12 }, (_, i) => ((i + 1) * 7919 * seed) % bytes.length), gapMs: 0 });
      const r = await host.request(root, post());
      assert.deepEqual(r.body, expected);
    }
    assert.equal(eventStream({ writes }).length > expected.length, true);
  });
});
