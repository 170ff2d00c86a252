// Running the local gateway (gateway/) in tests: as `npm start` does (a child process, for exit codes and
// what reaches the terminal) or in-process (startGateway, faster), on a free loopback port, with its
// output captured line by line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { startGateway, type Gateway } from "../../gateway/gateway.ts";
import { parseOptions } from "../../gateway/options.ts";

export const root = fileURLToPath(new URL("../..", import.meta.url));
const main = join(root, "gateway", "main.ts");

/** What a gateway printed, and a way to wait for a line. */
export class Output {
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];

  push(text: string): void {
    for (const line of text.split("\n")) if (line.length > 0) this.lines.push(line);
    for (const wake of this.waiters.splice(0)) wake();
  }

  get text(): string {
    return this.lines.join("\n");
  }

  /** Resolves with the first line (from `from` on) matching `pattern`; rejects after `ms`. */
  async waitFor(pattern: RegExp, ms = 10_000, from = 0): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.lines.slice(from).find((l) => pattern.test(l));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${ms} ms; got:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }
}

/** A child `npm start` (tsx gateway/main.ts) that exits by itself: its code and output. */
export function runStart(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
      cwd: root, env: { PATH: process.env.PATH ?? "", INIT_CWD: options.cwd ?? root, ...options.env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - started }); });
  });
}

/** A long-running child gateway on a free port: its port, output, and stop(). */
export async function spawnGateway(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", main, "--port", "0", ...args], {
    cwd: root, env: { PATH: process.env.PATH ?? "", INIT_CWD: options.cwd ?? root, ...options.env },
  });
  const out = new Output();
  child.stdout.on("data", (d) => out.push(String(d)));
  child.stderr.on("data", (d) => out.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const listening = await Promise.race([out.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 30_000), exited.then((code) => { throw new Error(`gateway exited ${code}:\n${out.text}`); })]);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(listening)![1]);
  return {
    port, out, exited,
    stop: async () => { child.kill("SIGTERM"); await exited; },
  };
}

/** An in-process gateway: `argv` as after `npm start --`, the VM environment `env`. */
export async function inProcess(argv: string[], env: Record<string, string> = {}, cwd = root): Promise<{ gateway: Gateway; out: Output }> {
  const out = new Output();
  const gateway = await startGateway(parseOptions(["--port", "0", ...argv], cwd), { out: (line) => out.push(line) }, env);
  return { gateway, out };
}

/** A request to a gateway on loopback. */
export async function call(port: number, path: string, init: RequestInit = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}
