// A loopback stand-in for the Lambda Invoke API (POST /2015-03-31/functions/<function>/invocations):
// it verifies SigV4 for service lambda like AWS (through AwsEndpoint), checks the function, qualifier and
// invocation type, hands the decoded event to handlers written like real Lambda handlers, and answers as
// Lambda does — the payload, X-Amz-Function-Error for failures, 202 for Event, 429 when throttled; with
// `iam`, only the temporary credentials stand-ins issued, and 403 ExpiredTokenException for `expiredTokens`.
import { AwsEndpoint, type Credentials, type FunctionReply, type ReceivedRequest } from "./aws-endpoint.ts";

export interface LambdaContext { functionName: string; qualifier: string; invokedFunctionArn: string; awsRequestId: string }
export type LambdaHandler = (event: any, context: LambdaContext) => unknown | Promise<unknown>;

/** Returned by a handler to send bytes that are not JSON (to test unparseable replies). */
export class RawPayload { constructor(readonly bytes: Buffer) {} }
/** Thrown by a handler for a "Handled" function error (older runtimes' callback(err)). */
export class HandledError extends Error {}

export interface Invocation {
  functionName: string;
  qualifier: string;
  invocationType: string;
  /** The payload as received (the event, or the raw body with passthrough). */
  payload: Buffer;
  event: any;
  request: ReceivedRequest;
}

export interface InvokeApiOptions {
  region: string;
  /** The one key accepted, unless `iam` or `credentials` is given. */
  accessKey?: string;
  secretKey?: string;
  /** Access key → secret and session token accepted, read on every request (temporary credentials). */
  iam?: Record<string, Credentials>;
  /** Every access key accepted, with its secret and session token (the local gateway's name for `iam`). */
  credentials?: Record<string, Credentials>;
  /** Access keys refused 403 ExpiredTokenException. */
  expiredTokens?: Set<string>;
  /** Clock of the signature check and the Date header. */
  now?: () => number;
  sendDate?: boolean;
  account?: string;
  functions: Record<string, LambdaHandler>;
  /** Qualifiers that exist per function (default: any). */
  qualifiers?: Record<string, string[]>;
  /** Answers before the function runs: e.g. throttling or a service error for chosen attempts. */
  intercept?: (invocation: Invocation) => FunctionReply | undefined;
}

let requestCounter = 0;

function awsError(status: number, type: string, message: string, headers: Record<string, string> = {}): FunctionReply {
  return { status, headers: { "x-amzn-errortype": type, "x-amzn-requestid": `err-${++requestCounter}`, ...headers },
    body: JSON.stringify({ Type: "User", message }) };
}

export class InvokeApi {
  readonly invocations: Invocation[] = [];
  /** Event (asynchronous) invocations run after the 202; each resolves when its handler finished. */
  readonly background: Promise<unknown>[] = [];
  private constructor(readonly endpoint: AwsEndpoint) {}

  static async start(options: InvokeApiOptions): Promise<InvokeApi> {
    let api: InvokeApi;
    const endpoint = await AwsEndpoint.start({
      region: options.region, service: "lambda",
      iam: options.iam ?? options.credentials ?? { [options.accessKey ?? ""]: { secretKey: options.secretKey ?? "" } },
      expiredTokens: options.expiredTokens, now: options.now, sendDate: options.sendDate,
      handler: (req) => api.handle(req, options),
    });
    api = new InvokeApi(endpoint);
    return api;
  }

  private async handle(req: ReceivedRequest, options: InvokeApiOptions): Promise<FunctionReply> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.path);
    if (req.method !== "POST" || !match) return awsError(404, "UnknownOperationException", "Unknown operation");
    const target = decodeURIComponent(match[1]);
    const arnMatch = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::(.+))?$/.exec(target);
    const name = arnMatch ? arnMatch[3] : target;
    const qualifier = new URLSearchParams(req.query).get("Qualifier") ?? arnMatch?.[4] ?? "";
    if (arnMatch && arnMatch[1] !== options.region) return awsError(403, "AccessDeniedException", "region mismatch");
    const handler = options.functions[name];
    const known = options.qualifiers?.[name];
    if (!handler || (qualifier && known && !known.includes(qualifier))) {
      return awsError(404, "ResourceNotFoundException", `Function not found: ${target}${qualifier ? ":" + qualifier : ""}`);
    }
    const invocationType = req.headers.find(([k]) => k === "x-amz-invocation-type")?.[1] ?? "RequestResponse";
    let event: any;
    try { event = req.body.length ? JSON.parse(req.body.toString("utf8")) : {}; } catch {
      return awsError(400, "InvalidRequestContentException", "Could not parse request body into json");
    }
    const invocation: Invocation = { functionName: name, qualifier, invocationType, payload: req.body, event, request: req };
    this.invocations.push(invocation);
    const intercepted = options.intercept?.(invocation);
    if (intercepted) return intercepted;
    const context: LambdaContext = { functionName: name, qualifier: qualifier || "$LATEST", awsRequestId: `req-${++requestCounter}`,
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.account ?? "123456789012"}:function:${name}${qualifier ? ":" + qualifier : ""}` };
    const run = (async () => handler(event, context))();
    const headers: Record<string, string> = { "x-amzn-requestid": context.awsRequestId, "x-amz-executed-version": "1" };
    if (invocationType === "Event") {
      this.background.push(run.catch(() => undefined));
      return { status: 202, headers, body: "" };
    }
    try {
      const result = await run;
      if (result instanceof RawPayload) return { status: 200, headers, body: result.bytes };
      return { status: 200, headers, body: JSON.stringify(result ?? null) };
    } catch (err) {
      const error = err as Error;
      return { status: 200, headers: { ...headers, "x-amz-function-error": err instanceof HandledError ? "Handled" : "Unhandled" },
        body: JSON.stringify({ errorMessage: error.message, errorType: error.name, stackTrace: ["at handler (index.mjs:3:9)"] }) };
    }
  }

  get authority(): string { return this.endpoint.authority; }
  get url(): string { return this.endpoint.url; }
  get last(): Invocation { return this.invocations[this.invocations.length - 1]; }
  close(): Promise<void> { return this.endpoint.close(); }
}

/** Throttling as Lambda answers it. */
export function throttled(retryAfter?: string): FunctionReply {
  return awsError(429, "TooManyRequestsException", "Rate Exceeded.", retryAfter ? { "retry-after": retryAfter } : {});
}

/** A Lambda service failure. */
export function serviceError(): FunctionReply {
  return awsError(500, "ServiceException", "Service error");
}
