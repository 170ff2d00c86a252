// A loopback stand-in for Lambda's InvokeWithResponseStream
// (POST /2021-11-15/functions/<function>/response-streaming-invocations, AWS API reference
// API_InvokeWithResponseStream): SigV4 for lambda checked like AWS (AwsEndpoint), the answer an AWS event
// stream encoded by an independent encoder (@smithy/eventstream-codec): one PayloadChunk per function write,
// then InvokeComplete ({} or {ErrorCode, ErrorDetails}). The bytes go out cut where a test says (frames split
// across HTTP chunks), optionally with one byte flipped (a bad CRC). A function that calls
// awslambda.HttpResponseStream.from writes its HTTP integration prelude (JSON, then 8 NUL bytes) first.
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { AwsEndpoint, type Credentials, type FunctionReply, type ReceivedRequest } from "./aws-endpoint.ts";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** What a streaming function did: its writes, how it ended, and the prelude it wrote first, if any. */
export interface StreamedOutput {
  prelude?: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  writes: (string | Buffer)[];
  /** InvokeComplete's ErrorCode / ErrorDetails (a function that threw after writing). */
  error?: { ErrorCode: string; ErrorDetails?: string };
  /** false: the stream ends without InvokeComplete. */
  complete?: boolean;
  /** The pause between writes, ms (else Streaming.gapMs). */
  gapMs?: number;
}

/** One event-stream message of `type` with `payload`. */
function message(type: string, payload: Uint8Array, contentType: string): Uint8Array {
  return codec.encode({
    headers: { ":event-type": { type: "string", value: type }, ":message-type": { type: "string", value: "event" },
      ":content-type": { type: "string", value: contentType } },
    body: payload,
  });
}

/** The function's output as the event stream Lambda sends. */
export function eventStream(out: StreamedOutput): Buffer {
  const writes = out.writes.map((w) => Buffer.from(w));
  if (out.prelude) writes.unshift(Buffer.concat([Buffer.from(JSON.stringify(out.prelude)), Buffer.alloc(8)]));
  const messages = writes.map((w) => message("PayloadChunk", w, "application/octet-stream"));
  if (out.complete !== false) messages.push(message("InvokeComplete", fromUtf8(JSON.stringify(out.error ?? {})), "application/json"));
  return Buffer.concat(messages.map((m) => Buffer.from(m)));
}

/** Offsets of each message's end in an event stream (its natural cuts). */
export function messageEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += bytes.readUInt32BE(at)) ends.push(at + bytes.readUInt32BE(at));
  return ends.filter((e) => e <= bytes.length);
}

export interface Streaming {
  /** Where the bytes are cut into HTTP chunks (offsets); default: one chunk per message. */
  cuts?: (bytes: Buffer) => number[];
  /** Flip a bit of the byte at this offset (a corrupt stream). */
  corruptAt?: (bytes: Buffer) => number;
  /** Pause between chunks, ms (default 2). */
  gapMs?: number;
  /** Called before each chunk is written, with its index (a test may wait on the client here). */
  beforeChunk?: (index: number) => Promise<void>;
}

export interface StreamInvocation { functionName: string; qualifier: string; event: any; request: ReceivedRequest }

export class StreamingInvokeApi {
  readonly invocations: StreamInvocation[] = [];
  private constructor(readonly endpoint: AwsEndpoint) {}

  static async start(options: {
    region: string; accessKey?: string; secretKey?: string; sessionToken?: string;
    /** Every key accepted (instead of accessKey/secretKey), read on every request. */
    iam?: Record<string, Credentials>;
    functions: Record<string, (event: any) => StreamedOutput>;
    streaming?: () => Streaming;
    /** Answers before the function runs (throttling, an unknown function). */
    intercept?: () => FunctionReply | undefined;
  }): Promise<StreamingInvokeApi> {
    let api: StreamingInvokeApi;
    const endpoint = await AwsEndpoint.start({
      region: options.region, service: "lambda", iam: options.iam ?? { [options.accessKey ?? ""]: { secretKey: options.secretKey ?? "", ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) } },
      handler: (req) => api.handle(req, options),
    });
    api = new StreamingInvokeApi(endpoint);
    return api;
  }

  private handle(req: ReceivedRequest, options: Parameters<typeof StreamingInvokeApi.start>[0]): FunctionReply {
    const match = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/.exec(req.path);
    if (req.method !== "POST" || !match) {
      return { status: 404, headers: { "x-amzn-errortype": "UnknownOperationException", "x-amzn-requestid": "err" }, body: "{}" };
    }
    const target = decodeURIComponent(match[1]);
    const name = /function:([A-Za-z0-9_-]+)/.exec(target)?.[1] ?? target;
    const fn = options.functions[name];
    if (!fn) return { status: 404, headers: { "x-amzn-errortype": "ResourceNotFoundException", "x-amzn-requestid": "err" }, body: "{}" };
    const event = req.body.length ? JSON.parse(req.body.toString("utf8")) : {};
    this.invocations.push({ functionName: name, qualifier: new URLSearchParams(req.query).get("Qualifier") ?? "", event, request: req });
    const intercepted = options.intercept?.();
    if (intercepted) return intercepted;
    const output = fn(event);
    const bytes = eventStream(output);
    const how = options.streaming?.() ?? {};
    const corrupt = how.corruptAt?.(bytes);
    if (corrupt !== undefined) bytes[corrupt] ^= 0x01;
    const cuts = [...new Set([...(how.cuts ?? messageEnds)(bytes), bytes.length])].filter((c) => c > 0 && c <= bytes.length).sort((a, b) => a - b);
    return {
      status: 200,
      headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": `stream-${this.invocations.length}`,
        "x-amz-executed-version": "$LATEST" },
      stream: async (write) => {
        let at = 0;
        for (let i = 0; i < cuts.length; i++) {
          await how.beforeChunk?.(i);
          await write(bytes.subarray(at, cuts[i]));
          at = cuts[i];
          await new Promise((r) => setTimeout(r, output.gapMs ?? how.gapMs ?? 2));
        }
      },
    };
  }

  get authority(): string { return this.endpoint.authority; }
  get url(): string { return this.endpoint.url; }
  close(): Promise<void> { return this.endpoint.close(); }
}
