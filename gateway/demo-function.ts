// The demo function behind the local gateway, in both forms a config can call: behind a URL (API Gateway
// or a Function URL: "Hello, <name>!" with the headers API Gateway adds) and as a Lambda handler for the
// local Invoke API (any event format). Like the APISIX docs' function, the name comes from ?name= or the
// JSON body's "name". A path ending in /stream streams instead: a Function URL in RESPONSE_STREAM mode
// (chunked), or InvokeWithResponseStream's writes — `?n=` chunks (default 5), `?gap=` ms apart (default 300).
import { randomUUID } from "node:crypto";
import type { FunctionReply, ReceivedRequest } from "../host-tests/support/aws-endpoint.ts";
import type { LambdaHandler } from "../host-tests/support/invoke-api.ts";
import type { StreamedOutput } from "../host-tests/support/stream-invoke.ts";

const STREAM_PATH = /\/stream$/;

/** How a streaming request asks to be answered: n chunks, gap ms apart (bounded, so a typo cannot hang). */
function streamShape(query: URLSearchParams): { n: number; gap: number } {
  const number = (name: string, fallback: number, max: number) => {
    const value = Number(query.get(name) ?? fallback);
    return Number.isFinite(value) && value >= 0 ? Math.min(Math.floor(value), max) : fallback;
  };
  return { n: number("n", 5, 1000), gap: number("gap", 300, 5000) };
}

/** The i-th of n streamed lines. */
const line = (i: number, n: number, name: string, stamped = true) =>
  `chunk ${i} of ${n} for ${name}${stamped ? ` at ${new Date().toISOString()}` : ""}\n`;

function nameFrom(query: string | null, body: string | undefined): string {
  if (query) return query;
  if (body) {
    try { return JSON.parse(body).name ?? "World"; } catch { /* not JSON */ }
  }
  return "World";
}

/** The URL form: what API Gateway answers for the demo Lambda. */
export function helloUrl(req: ReceivedRequest): FunctionReply {
  const query = new URLSearchParams(req.query);
  const name = nameFrom(query.get("name"), req.body.length > 0 ? req.body.toString("utf8") : undefined);
  if (STREAM_PATH.test(req.path)) {
    const { n, gap } = streamShape(query);
    return {
      status: 200,
      headers: { "content-type": "text/plain", "x-amzn-requestid": randomUUID() },
      stream: async (write) => {
        for (let i = 1; i <= n; i++) {
          if (i > 1) await new Promise((r) => setTimeout(r, gap));
          await write(line(i, n, name));
        }
      },
    };
  }
  return {
    status: 200,
    headers: {
      "content-type": "application/json",
      "x-amzn-requestid": randomUUID(),
      "x-amz-apigw-id": "demo" + Date.now().toString(36),
      "x-amzn-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-demo;Sampled=0`,
    },
    body: JSON.stringify(`Hello, ${name}!`),
  };
}

/**
 * The handler form: API Gateway v2 and v1 events get a proxy-integration reply naming the function and
 * qualifier that ran; a passthrough payload is answered with its size.
 */
export const helloHandler: LambdaHandler = async (event, context) => {
  if (event === null || typeof event !== "object" || !("requestContext" in event)) {
    return { received: JSON.stringify(event ?? null).length, function: context.functionName };
  }
  const body = event.body === undefined || event.body === null ? undefined
    : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  const name = nameFrom(event.queryStringParameters?.name ?? null, body);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", "x-demo-function": `${context.functionName}:${context.qualifier}` },
    body: JSON.stringify(`Hello, ${name}!`),
  };
};

/**
 * The streaming handler for the local InvokeWithResponseStream: a path ending in /stream writes `n` lines
 * (with an HTTP integration prelude: text/plain, status 200); anything else writes one "Hello, <name>!".
 * The stand-in spaces the writes `gap` ms apart.
 */
export function helloStream(event: any): StreamedOutput {
  const query = new URLSearchParams(event?.rawQueryString ?? "");
  const body = event?.body === undefined || event?.body === null ? undefined
    : event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  const name = nameFrom(query.get("name") ?? event?.queryStringParameters?.name ?? null, body);
  if (!STREAM_PATH.test(event?.rawPath ?? "")) return { writes: [JSON.stringify(`Hello, ${name}!`)], gapMs: 0 };
  const { n, gap } = streamShape(query);
  return {
    prelude: { statusCode: 200, headers: { "content-type": "text/plain" } },
    writes: Array.from({ length: n }, (_, i) => line(i + 1, n, name, false)),
    gapMs: gap,
  };
}
