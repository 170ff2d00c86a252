// A loopback upstream that answers with whatever bytes a test gives it — a status line and header lines
// exactly as written (CR, LF, NUL, obs-text, duplicates, no Content-Length), then a body — for fuzzing what a
// host and the filter make of hostile response headers. It reads the request head (and a Content-Length
// body) and records it.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export class RawUpstream {
  /** The next answer's bytes. */
  answer: Buffer = Buffer.from("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
  readonly requests: Buffer[] = [];
  private constructor(private readonly server: Server, private readonly sockets: Set<Socket>) {}

  static async start(): Promise<RawUpstream> {
    const sockets = new Set<Socket>();
    let upstream: RawUpstream;
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
      let buffered = Buffer.alloc(0);
      socket.on("data", (data) => {
        buffered = Buffer.concat([buffered, data]);
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString("latin1");
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        upstream.requests.push(buffered.subarray(0, end + 4 + length));
        buffered = Buffer.alloc(0);
        socket.end(upstream.answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    upstream = new RawUpstream(server, sockets);
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
