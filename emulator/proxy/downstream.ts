// The client's side of a proxied response: what the host sent on and when (performance.now() per piece, so a
// test can tell streaming from buffering), passed to the caller's ClientSink as it happens.
import type { ClientSink, Pairs, ReceivedChunk } from "../types.ts";

export class Downstream {
  status = 0;
  headers: Pairs = [];
  headersAt?: number;
  readonly chunks: ReceivedChunk[] = [];
  complete = false;
  reset?: string;

  constructor(private readonly sink?: ClientSink) {}

  get started(): boolean {
    return this.headersAt !== undefined;
  }

  get finished(): boolean {
    return this.complete || this.reset !== undefined;
  }

  head(status: number, headers: Pairs): void {
    if (this.started) return;
    this.status = status;
    this.headers = headers;
    this.headersAt = performance.now();
    this.sink?.head(status, headers);
  }

  chunk(bytes: Buffer): void {
    if (bytes.length === 0 || this.finished) return;
    this.chunks.push({ at: performance.now(), bytes });
    this.sink?.chunk(bytes);
  }

  end(): void {
    if (this.finished) return;
    this.complete = true;
    this.sink?.end();
  }

  abort(reason: string): void {
    if (this.finished) return;
    this.reset = reason;
    this.sink?.abort(reason);
  }

  /** Everything the client received. */
  body(): Buffer {
    return Buffer.concat(this.chunks.map((c) => c.bytes));
  }
}
