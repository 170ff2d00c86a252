// Small functions written like real Lambda handlers, for the Invoke API stand-in.
import type { LambdaHandler } from "./invoke-api.ts";

/** API Gateway v2 style: "Hello, <name>!" from the query string. */
export const helloV2: LambdaHandler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "text/plain" },
  body: `Hello, ${event.queryStringParameters?.name ?? "World"}!`,
});

/** Returns the event it got, so tests can see exactly what the function receives. */
export const echoEvent: LambdaHandler = async (event) => ({
  statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(event),
});

/** Plain JSON without statusCode: API Gateway v2 answers it as a 200 application/json body. */
export const plainJson: LambdaHandler = async () => ({ message: "plain", items: [1, 2, 3] });

/** REST API (v1) style: reads httpMethod and multi-value query parameters, answers multiValueHeaders. */
export const restV1: LambdaHandler = async (event) => ({
  statusCode: 200,
  multiValueHeaders: { "x-seen": event.multiValueQueryStringParameters?.tag ?? [] },
  body: `${event.httpMethod} ${event.path}`,
});

export const failing: LambdaHandler = async () => {
  throw new TypeError("Cannot read properties of undefined (reading 'id')");
};

/**
 * AWS Lambda Web Adapter, in miniature: it turns the v2 event into an HTTP request for a web app and the
 * app's response into lambda_http's v2 response shape — Set-Cookie moved to `cookies`, repeated headers in
 * `multiValueHeaders` too, binary bodies base64-encoded with isBase64Encoded.
 */
export function webAdapter(app: (req: { method: string; path: string; query: string; headers: Record<string, string>; body: Buffer }) =>
  { status: number; headers: [string, string][]; body: Buffer }): LambdaHandler {
  return async (event) => {
    const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
    const res = app({ method: event.requestContext.http.method, path: event.rawPath, query: event.rawQueryString, headers: event.headers, body });
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    const cookies: string[] = [];
    for (const [name, value] of res.headers) {
      if (name === "set-cookie") { cookies.push(value); continue; }
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const textual = /^(text\/|application\/json)/.test(headers["content-type"] ?? "");
    return { statusCode: res.status, headers, multiValueHeaders, cookies,
      body: textual ? res.body.toString("utf8") : res.body.toString("base64"), isBase64Encoded: !textual };
  };
}
