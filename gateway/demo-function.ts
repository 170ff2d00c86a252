// The demo function behind the local gateway, in both forms a config can call: behind a URL (API Gateway
// or a Function URL: "Hello, <name>!" with the headers API Gateway adds) and as a Lambda handler for the
// local Invoke API (any event format). Like the APISIX docs' function, the name comes from ?name= or the
// JSON body's "name".
import { randomUUID } from "node:crypto";
import type { FunctionReply, ReceivedRequest } from "../host-tests/support/aws-endpoint.ts";
import type { LambdaHandler } from "../host-tests/support/invoke-api.ts";

function nameFrom(query: string | null, body: string | undefined): string {
  if (query) return query;
  if (body) {
    try { return JSON.parse(body).name ?? "World"; } catch { /* not JSON */ }
  }
  return "World";
}

/** The URL form: what API Gateway answers for the demo Lambda. */
export function helloUrl(req: ReceivedRequest): FunctionReply {
  const name = nameFrom(new URLSearchParams(req.query).get("name"), req.body.length > 0 ? req.body.toString("utf8") : undefined);
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
