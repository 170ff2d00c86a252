// A long-lived emulated host for fuzzing: one Host per profile serves thousands of cases. It reloads
// itself after a trap (so shrinking can replay cases), forgets the emulator's per-request records
// (the emulator keeps every stream, callout and log forever), and can hand the module bytes that a
// JS string cannot carry (invalid UTF-8) through the raw-byte channel below.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Host, type HostOptions, type Profile } from "../../emulator/index.ts";

/** The fixed wall clock of fuzz hosts (SigV4 dates, and so the derived signing key, are stable). */
export const FUZZ_NOW = Date.UTC(2024, 4, 17, 12, 30, 45);

/** Credentials the VM environment offers to an `iam` object without keys. */
export const ENV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIDENVFUZZ7Q2M",
  AWS_SECRET_ACCESS_KEY: "envSecretQ9x7+fuzz/B3kLmN0pR5tU8wY1zA4cD6",
  AWS_SESSION_TOKEN: "envTokenZ8y6FUZZw4v2u0t1s3r5q7p9o1n3m5l7k9j",
};

// Raw-byte channel: the private-use characters U+E000…U+E00B (UTF-8 EE 80 80…8B, three bytes each) are
// replaced, in every buffer the host copies into the module, by the three bytes below. Same length, so
// header-map framing stays valid while the module sees malformed UTF-8.
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

/** `data` as the module sees it (raw sequences substituted for markers). */
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

/** Envoy clusters: every name exists except those starting with "refused" (the host refuses the callout). */
const CLUSTERS = new Proxy({} as Record<string, string>, {
  getOwnPropertyDescriptor: (_, name) => String(name).startsWith("refused") ? undefined
    : { value: "http://127.0.0.1:9", enumerable: true, configurable: true, writable: false },
});

/** Options of the fuzz hosts: on Envoy an upstream named "refused…" is an unknown cluster (APISIX: "refused:0" is a bad port). */
export const HOST_OPTIONS: Partial<HostOptions> = { clusters: CLUSTERS };

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
    this.host = await Host.load({ profile: this.profile, wasm: wasmBytes, callouts: "capture", env: ENV_CREDENTIALS,
      now: () => FUZZ_NOW, ...this.options });
    // Test-only hook into the emulator's GuestMemory: every host→module copy goes through copyOut.
    const memory = (this.host as any).memory;
    const copyOut = memory.copyOut.bind(memory);
    memory.copyOut = (data: Uint8Array, ptrPtr: number, sizePtr: number) => copyOut(substituteRaw(data), ptrPtr, sizePtr);
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

  /** Ends every stream still open (done, log on Envoy, delete), as the host does when its clients leave. */
  finishStreams(): void {
    const host = this.host;
    for (const stream of [...host.vm.streams.values()]) {
      if (stream.deleted || host.failed) continue;
      host.callOnDone(stream.id);
      if (host.profile === "envoy") host.callOnLog(stream.id);
      host.callOnDelete(stream.id);
    }
  }

  /**
   * Drops what the emulator remembers about finished work: deleted streams, recorded callouts, logs
   * and host events. Pending callouts and live streams are kept. Reaches into the emulator's VmState
   * because it has no public way to forget.
   */
  forget(): void {
    const vm = this.host.vm;
    for (const [id, stream] of vm.streams) if (stream.deleted) vm.streams.delete(id);
    vm.callouts.length = 0;
    vm.events.length = 0;
    this.host.clearLogs();
  }
}
