// A long-lived emulated host for fuzzing: one Host per profile serves thousands of cases. It reloads
// itself after a trap (so shrinking can replay cases) and forgets the emulator's per-request records
// between cases. Generators write bytes that a JS string cannot carry (invalid UTF-8) as the markers
// below; rawBytes/rawRequest/rawAnswer turn them into the raw bytes the emulator accepts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Host, type CalloutAnswer, type HostOptions, type Profile, type RequestSpec, type TextOrBytes } from "../../emulator/index.ts";

/** The fixed wall clock of fuzz hosts (SigV4 dates, and so the derived signing key, are stable). */
export const FUZZ_NOW = Date.UTC(2024, 4, 17, 12, 30, 45);

/** Credentials the VM environment offers to an `iam` object without keys. */
export const ENV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIDENVFUZZ7Q2M",
  AWS_SECRET_ACCESS_KEY: "envSecretQ9x7+fuzz/B3kLmN0pR5tU8wY1zA4cD6",
  AWS_SESSION_TOKEN: "envTokenZ8y6FUZZw4v2u0t1s3r5q7p9o1n3m5l7k9j",
};

// Raw-byte markers: the private-use characters U+E000…U+E00C (UTF-8 EE 80 80…8C, three bytes each) stand
// for the three bytes below, so generators can compose hostile text as strings.
const RAW_SEQUENCES: number[][] = [
  [0xff, 0xfe, 0xfd], // never valid in UTF-8
  [0xc0, 0x80, 0x41], // overlong NUL, then "A"
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xe0, 0x80, 0xae], // overlong "."
  [0xc0, 0xae, 0x2e], // overlong "." then "."
  [0xc0, 0xaf, 0x2e], // overlong "/" then "."
  [0xc0, 0x8d, 0x0a], // overlong CR then LF
  [0xe0, 0x80, 0x8a], // overlong LF
  [0x80, 0x80, 0x80], // stray continuation bytes
  [0xf8, 0x88, 0x80], // 5-byte lead, truncated
  [0xf4, 0x90, 0x80], // above U+10FFFF, truncated
  [0xc3, 0x28, 0xa9], // bad continuation
  [0xc0, 0xa6, 0x78], // overlong "&", then "x"
];

/** The marker character that stands for raw sequence `i` (0 ≤ i < RAW_MARKERS.length). */
export const RAW_MARKERS: string[] = RAW_SEQUENCES.map((_, i) => String.fromCharCode(0xe000 + i));

/** The bytes the module sees for `text` (markers replaced). */
export function rawBytes(text: string): Buffer {
  return substituteRaw(Buffer.from(text, "utf8"));
}

/** `data` with the raw sequences substituted for markers. */
export function substituteRaw(data: Uint8Array): Uint8Array {
  let at = Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(0xee);
  if (at < 0) return data;
  const out = Buffer.from(data);
  for (; at >= 0 && at + 2 < out.length; at = out.indexOf(0xee, at + 1)) {
    const index = out[at + 2] - 0x80;
    if (out[at + 1] !== 0x80 || index < 0 || index >= RAW_SEQUENCES.length) continue;
    out.set(RAW_SEQUENCES[index], at);
  }
  return out;
}

const MARKER = /[\ue000-\ue00c]/;

/** Text with markers as the raw bytes they stand for; text without markers as it is. */
function raw(text: string): TextOrBytes {
  return MARKER.test(text) ? rawBytes(text) : text;
}

/** `pairs` with markers in names and values turned into raw bytes. */
function rawPairs(pairs: [TextOrBytes, TextOrBytes][]): [TextOrBytes, TextOrBytes][] {
  return pairs.map(([k, v]) => [typeof k === "string" ? raw(k) : k, typeof v === "string" ? raw(v) : v]);
}

const rawBody = (body: Uint8Array | string): Uint8Array | string => (typeof body === "string" ? raw(body) : substituteRaw(body));

/** A request whose path, method, authority, headers and body carry the raw bytes their markers stand for. */
export function rawRequest(req: RequestSpec): RequestSpec {
  const out: RequestSpec = { ...req, path: typeof req.path === "string" ? raw(req.path) : req.path };
  if (typeof req.method === "string") out.method = raw(req.method);
  if (typeof req.authority === "string") out.authority = raw(req.authority);
  if (req.headers) out.headers = rawPairs(Array.isArray(req.headers) ? req.headers : Object.entries(req.headers));
  if (req.body !== undefined) out.body = rawBody(req.body);
  if (req.chunks) out.chunks = req.chunks.map(rawBody);
  return out;
}

/** An answer whose headers and body carry the raw bytes their markers stand for. */
export function rawAnswer(answer: CalloutAnswer | null): CalloutAnswer | null {
  if (!answer) return null;
  return { ...answer, headers: rawPairs(answer.headers), ...(answer.body !== undefined ? { body: rawBody(answer.body) } : {}),
    ...(answer.trailers ? { trailers: rawPairs(answer.trailers) } : {}) };
}

/** Envoy clusters: every name exists except those starting with "refused" (the host refuses the callout). */
const CLUSTERS = new Proxy({} as Record<string, string>, {
  getOwnPropertyDescriptor: (_, name) => String(name).startsWith("refused") ? undefined
    : { value: "http://127.0.0.1:9", enumerable: true, configurable: true, writable: false },
});

/**
 * Options of the fuzz hosts: on Envoy an upstream named "refused…" is an unknown cluster. (On APISIX the
 * filter refuses anything but host[:port] at configure time, so no valid config meets a refused callout.)
 */
export const HOST_OPTIONS: Partial<HostOptions> = { clusters: CLUSTERS };

/** Cluster `name` as an upstream valid on `profile`: the name on Envoy, a host:port made from it on APISIX. */
export function upstreamOn(profile: Profile, name: string): string {
  return profile === "envoy" ? name : `${name.replace(/[^A-Za-z0-9.-]/g, "-")}.internal:8443`;
}

/** The module under test: build/aws-lambda.wasm, or FUZZ_WASM (e.g. to check that a test catches an old build). */
const wasmBytes = readFileSync(process.env.FUZZ_WASM ?? join(import.meta.dirname, "..", "..", "build", "aws-lambda.wasm"));

/** A Host that survives traps (recording them) and stays small over many cases. */
export class FuzzHost {
  host!: Host;
  /** Every trap seen, with the case that caused it (the property fails on the first). */
  readonly traps: string[] = [];

  private constructor(readonly profile: Profile, private readonly options: Partial<HostOptions>) {}

  static async start(profile: Profile, options: Partial<HostOptions> = {}): Promise<FuzzHost> {
    const fuzzHost = new FuzzHost(profile, options);
    await fuzzHost.reload();
    return fuzzHost;
  }

  /** A fresh VM (same options), e.g. after a trap. */
  async reload(): Promise<Host> {
    // allow_on_headers_stop_iteration as README configures Envoy, so request bodies reach the filter.
    this.host = await Host.load({ profile: this.profile, wasm: wasmBytes, callouts: "capture", env: ENV_CREDENTIALS, allowOnHeadersStopIteration: true,
      now: () => FUZZ_NOW, ...this.options });
    return this.host;
  }

  /** The host to use for the next case: reloaded if the last one trapped. */
  async ready(): Promise<Host> {
    if (this.host.failed) {
      this.traps.push(this.host.trap?.message ?? "VM failed");
      await this.reload();
    }
    return this.host;
  }

  /** Ends every stream still open (log on Envoy, done, delete), as the host does when its clients leave. */
  finishStreams(): void {
    const host = this.host;
    for (const stream of host.getOpenStreams()) {
      if (host.failed) continue;
      if (host.profile === "envoy") host.callOnLog(stream);
      host.callOnDone(stream);
      host.callOnDelete(stream);
    }
  }

  /** Drops what the emulator remembers about finished work (pending callouts and open streams stay). */
  forget(): void {
    this.host.forget();
  }
}
