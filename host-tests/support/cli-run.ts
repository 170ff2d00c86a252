// The aws-lambda-wasm command run in-process (faster than a child process), its output captured.
import { main } from "../../cli/main.mjs";

/** Runs `args` (as after the command name) with `env` as the environment it sees. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (s: string) => { out.stdout += s; } },
    stderr: { write: (s: string) => { out.stderr += s; } },
    env,
    readStdin: () => "",
  };
  return { code: main(args, io), ...out };
}
