// Whole requests through the proxy-wasm host emulator (Envoy profile, capture mode): the seed example,
// the configs the benchmarks use, and the memory measurements. Shared by bench/run.ts and bench/tools/.
import { Host, type CalloutAnswer, type Pairs } from "../../emulator/index.ts";

export const HOST = "x9w6z07gb9.execute-api.us-east-1.amazonaws.com";
export const PATH = "/default/test-apisix";
export const QUERY = "name=APISIX";
export const AK = "AKIDEXAMPLE";
export const SK = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
export const AMZ_DATE = "20150830T123600Z";
export const T0 = Date.UTC(2015, 7, 30, 12, 36, 0);
/** The client's headers besides host (the same values the wasm kernel signs, bench/wasm/kernels.ts). */
export const CLIENT_HEADERS: Record<string, string> = {
  "user-agent": "curl/8.5.0",
  accept: "*/*",
  "x-forwarded-for": "203.0.113.7",
  "x-request-id": "0f3c1a52-6d0e-4b7e-9c77-3f1f5e2a8b41",
  "content-type": "application/json",
  "x-api-key": "seed-api-key-0123456789",
  "accept-encoding": "gzip, deflate",
};

const FUNCTION_URI = `https://${HOST}${PATH}`;
export const API_KEY_CONFIG = { function_uri: FUNCTION_URI, path_prefix: "/aws", authorization: { apikey: "seed-api-key-0123456789" } };
export const IAM_CONFIG = { function_uri: FUNCTION_URI, path_prefix: "/aws", authorization: { iam: { accesskey: AK, secretkey: SK } } };
export const FULL_IAM_CONFIG = {
  function_uri: FUNCTION_URI, path_prefix: "/aws", upstream: "lambda_api",
  authorization: { iam: { accesskey: AK, secretkey: SK, session_token: "FQoGZXIvYXdzEXAMPLESESSIONTOKEN", aws_region: "us-east-1", service: "execute-api" } },
  timeout: 3000, ssl_verify: true, keepalive: true, keepalive_pool: 5, keepalive_timeout: 60000, max_req_body_size: 67108864,
};
/** IAM_CONFIG in proxy mode: the filter signs the request in place and the route's upstream carries it. */
export const PROXY_IAM_CONFIG = { ...IAM_CONFIG, mode: "proxy" };
/** Lambda Invoke API mode (function_uri is a function ARN): the filter builds an API Gateway event. */
export const INVOKE_CONFIG = {
  function_uri: "arn:aws:lambda:us-east-1:123456789012:function:test-apisix", path_prefix: "/aws",
  authorization: { iam: { accesskey: AK, secretkey: SK, service: "lambda" } },
};
/** What the Invoke API returns for a proxy-integration function. */
export const INVOKE_ANSWER: CalloutAnswer = {
  headers: [[":status", "200"], ["content-type", "application/json"]],
  body: JSON.stringify({ statusCode: 200, headers: { "content-type": "application/json" }, body: "\"Hello, APISIX!\"" }),
};
export const ANSWER: CalloutAnswer = {
  headers: [[":status", "200"], ["content-type", "application/json"], ["x-amzn-requestid", "0b6c7e0a-5b1e-4a55-9d0e-1f2e3d4c5b6a"]],
  body: "\"Hello, APISIX!\"",
};
const answer = () => ANSWER;
const invokeAnswer = () => INVOKE_ANSWER;
const REQUEST_HEADERS: Pairs = Object.entries(CLIENT_HEADERS);

export interface Loaded { host: Host; rootId: number }
export interface RequestKind { method: string; path: string; body?: Buffer; contentType?: string; invoke?: boolean }

export const GET: RequestKind = { method: "GET", path: `/aws?${QUERY}` };
export const postOf = (body: Buffer): RequestKind => ({ method: "POST", path: `/aws?${QUERY}`, body });

export async function loadHost(wasm: string, config: object): Promise<Loaded> {
  const host = await Host.load({ profile: "envoy", allowOnHeadersStopIteration: true, wasm, callouts: "capture", now: () => T0 });
  const { rootId, accepted } = host.configure(config);
  if (!accepted) throw new Error(`configuration refused: ${JSON.stringify(host.getLogs())}`);
  return { host, rootId };
}

/** Drops what the emulator records per request (streams, callouts, logs), so JS-side bookkeeping stays flat. */
export function trim(host: Host): void {
  host.forget();
}

function spec(req: RequestKind) {
  const headers = req.contentType ? REQUEST_HEADERS.map(([k, v]): [string, string] => [k, k === "content-type" ? req.contentType! : v]) : REQUEST_HEADERS;
  return { method: req.method, path: req.path, authority: "gateway.example.com", headers, body: req.body };
}

/** Runs `n` whole requests (headers → body → callout → answer → reply), each answered 200. */
export async function runRequests(h: Loaded, n: number, req: RequestKind): Promise<void> {
  const s = spec(req);
  for (let j = 0; j < n; j++) {
    const reply = await h.host.request(h.rootId, s, { answer: req.invoke ? invokeAnswer : answer });
    if (reply.status !== 200) throw new Error(`request failed: ${reply.status} ${reply.body} ${reply.details ?? ""} ${JSON.stringify(h.host.getLogs())}`);
  }
  trim(h.host);
}

/** What the function's endpoint answers a proxied request: its headers, then its body in one piece. */
const UPSTREAM_HEADERS: Pairs = [[":status", "200"], ...ANSWER.headers.filter(([k]) => k !== ":status"), ["content-length", String(Buffer.byteLength(String(ANSWER.body)))]];
const UPSTREAM_BODY = Buffer.from(String(ANSWER.body));

/**
 * Runs `n` whole proxied requests (headers → body → signed in place → the route's upstream answers 200 →
 * response headers and body through the filter → on_log, on_done, on_delete); the upstream is answered in
 * process (no HTTP), as callouts are in runRequests.
 */
export async function runProxied(h: Loaded, n: number, req: RequestKind): Promise<void> {
  const s = spec(req);
  for (let j = 0; j < n; j++) {
    const reply = await h.host.request(h.rootId, s, { keepStream: true });
    if (!reply.continued) throw new Error(`request not forwarded: ${reply.status} ${reply.body} ${JSON.stringify(h.host.getLogs())}`);
    const id = reply.streamId;
    h.host.callOnResponseHeaders(id, UPSTREAM_HEADERS, false);
    h.host.callOnResponseBody(id, UPSTREAM_BODY, true);
    if (h.host.getLocalResponse(id)) throw new Error(`response refused: ${JSON.stringify(h.host.getLogs())}`);
    h.host.callOnLog(id); h.host.callOnDone(id); h.host.callOnDelete(id);
  }
  trim(h.host);
}

/**
 * Runs `n` POST requests whose body arrives in `chunks` (Envoy: one proxy_on_request_body per chunk, the
 * buffer so far each time) and returns the ms spent in the last body callback — from the last chunk to the
 * dispatched callout — summed over the `n` requests. Each callout is then answered and the stream ended.
 */
export function runBodyTail(h: Loaded, n: number, chunks: Buffer[]): number {
  const headers: Pairs = [[":method", "POST"], [":path", `/aws?${QUERY}`], [":authority", "gateway.example.com"], [":scheme", "https"],
    ...REQUEST_HEADERS, ["content-length", String(chunks.reduce((s, c) => s + c.length, 0))]];
  let ms = 0;
  for (let j = 0; j < n; j++) {
    const id = h.host.newStream(h.rootId);
    h.host.callOnRequestHeaders(id, headers, false);
    for (let i = 0; i < chunks.length - 1; i++) h.host.callOnRequestBody(id, chunks[i], false);
    const t0 = process.hrtime.bigint();
    h.host.callOnRequestBody(id, chunks[chunks.length - 1], true);
    ms += Number(process.hrtime.bigint() - t0) / 1e6;
    const pending = h.host.getPendingCallouts().find((c) => c.streamId === id);
    if (!pending) throw new Error(`no callout after the last body chunk: ${JSON.stringify(h.host.getLogs())}`);
    h.host.callOnHttpCallResponse(h.rootId, pending.token, ANSWER);
    h.host.callOnDone(id); h.host.callOnLog(id); h.host.callOnDelete(id);
  }
  trim(h.host);
  return ms;
}

const PAGE = 65536;

export interface MemoryFigures {
  growthPages: number;
  after1kBytes: number;
  perInflightBytes: number;
  /** Growth of the peak between the 2nd and the last wave of `inflight` concurrent requests. */
  waveGrowthPages: number;
}

/**
 * Memory of the filter at `wasm` under IAM with 1 KiB bodies: growth between 1k and `total` sequential
 * requests, and the extra linear memory per request with `inflight` callouts pending at once (first
 * wave), then `waves` such waves (each answered and finished) to see whether concurrency leaks.
 */
export async function measureMemory(wasm: string, total: number, inflight = 1000, waves = 5): Promise<MemoryFigures> {
  const body = Buffer.alloc(1024, "m");
  const post = postOf(body);
  const out = {} as MemoryFigures;
  {
    const h = await loadHost(wasm, IAM_CONFIG);
    await runRequests(h, 1000, post);
    out.after1kBytes = h.host.memoryBytes();
    for (let done = 1000; done < total; done += 1000) await runRequests(h, 1000, post);
    out.growthPages = (h.host.memoryBytes() - out.after1kBytes) / PAGE;
  }
  {
    const h = await loadHost(wasm, IAM_CONFIG);
    await runRequests(h, 1000, post); // warm: scratch buffers and maps at their steady size
    const before = h.host.memoryBytes();
    const s = spec(post);
    const peaks: number[] = [];
    for (let w = 0; w < waves; w++) {
      const streams: number[] = [];
      for (let j = 0; j < inflight; j++) {
        const reply = await h.host.request(h.rootId, s); // capture mode, no answer: the callout stays pending
        if (!reply.stalled) throw new Error("expected a pending callout");
        streams.push(reply.streamId);
      }
      peaks.push(h.host.memoryBytes());
      for (const c of h.host.getPendingCallouts()) h.host.callOnHttpCallResponse(c.rootId, c.token, ANSWER);
      for (const id of streams) { h.host.callOnDone(id); h.host.callOnLog(id); h.host.callOnDelete(id); }
      trim(h.host);
    }
    out.perInflightBytes = (peaks[0] - before) / inflight - body.length;
    out.waveGrowthPages = (peaks[waves - 1] - peaks[Math.min(1, waves - 1)]) / PAGE;
  }
  return out;
}
