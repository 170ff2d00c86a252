// What the loopback credential stand-ins (imds.ts, container-endpoint.ts, sts.ts) share: a clock tests
// can move (the emulator's WASI clock and the stand-ins read the same one), temporary credentials issued
// into the table the Lambda stand-ins accept, and a plain HTTP server on 127.0.0.1 that can also leave a
// request unanswered (a dead or filtered endpoint).
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import type { Credentials } from "./aws-endpoint.ts";

/** Wall-clock milliseconds, offset by what a test moved it. Pass `clock.now` as the emulator's `now`. */
export class TestClock {
  offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** One set of temporary credentials as a stand-in issued them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiration: number;
}

/** `2026-12-01T22:00:00Z`: RFC 3339 UTC, whole seconds (instance metadata, container endpoint). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

let issuedCount = 0;

/**
 * Issues temporary credentials under an access key prefix (ASIA… like AWS's) and adds each to
 * `accepted`, the access key → secret and session token table the Lambda stand-ins check.
 */
export class CredentialIssuer {
  /** Every set issued, oldest first. */
  readonly issued: IssuedCredentials[] = [];

  constructor(private readonly prefix: string, private readonly clock: TestClock,
    private readonly accepted: Record<string, Credentials>) {}

  /** New credentials that expire `lifetimeSeconds` from the clock's now. */
  issue(lifetimeSeconds: number): IssuedCredentials {
    const n = String(++issuedCount).padStart(4, "0");
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${this.prefix}${n}`,
      secretAccessKey: `${this.prefix.toLowerCase()}Secret${n}/K7MDENG+bPxRfiCY`,
      sessionToken: `${this.prefix}SessionToken${n}//////////wEaCXVzLWVhc3QtMSJH+EXAMPLE=`,
      expiration: Math.floor((this.clock.now() + lifetimeSeconds * 1000) / 1000) * 1000,
    };
    this.issued.push(credentials);
    this.accepted[credentials.accessKeyId] = { secretKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken };
    return credentials;
  }

  /** The newest set, issued on first use. */
  current(lifetimeSeconds: number): IssuedCredentials {
    return this.issued[this.issued.length - 1] ?? this.issue(lifetimeSeconds);
  }
}

/** A request as a stand-in received it. */
export interface StandInRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: Buffer;
}

export interface StandInReply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** What a handler returns: a reply, or "hang" to leave the request unanswered until the server closes. */
export type StandInAnswer = StandInReply | "hang";

/** A plain HTTP server on 127.0.0.1 that hands each request to `handle` and records it. */
export class LoopbackServer {
  readonly received: StandInRequest[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;

  static async start(handle: (req: StandInRequest) => StandInAnswer | Promise<StandInAnswer>): Promise<LoopbackServer> {
    const loopback = new LoopbackServer();
    loopback.server = createServer(async (req, res) => {
      const headers: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      const request: StandInRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers, body: await buffer(req) };
      loopback.received.push(request);
      const answer = await handle(request);
      if (answer === "hang") {
        loopback.hanging.push(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
    await new Promise<void>((resolve) => loopback.server.listen(0, "127.0.0.1", resolve));
    return loopback;
  }

  get port(): number { return (this.server.address() as AddressInfo).port; }
  /** "127.0.0.1:<port>": the default callout upstream (APISIX host:port, Envoy cluster name). */
  get authority(): string { return `127.0.0.1:${this.port}`; }
  get url(): string { return `http://${this.authority}`; }

  close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The first value of header `name` (lower case) of a received request. */
export function headerOf(req: StandInRequest, name: string): string | undefined {
  return req.headers.find(([k]) => k === name)?.[1];
}
