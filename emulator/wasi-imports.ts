// WASI imports per profile: the shim in wasi.ts for what a filter really uses, plus the answers the
// hosts give to the file-system calls a module may import but should never need (no files exist).
import type { Wasi } from "./wasi.ts";

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_NOENT = 44;
const ERRNO_NOSYS = 52;

type WasiFn = (...args: any[]) => number | void;

/** What proxy-wasm-cpp-host answers for the calls wasi.ts does not implement. */
function stub(name: string, memory: () => WebAssembly.Memory | null): WasiFn {
  switch (name) {
    case "fd_seek":
    case "fd_close":
      return () => ERRNO_SUCCESS;
    case "path_open":
      return () => ERRNO_NOENT;
    case "fd_prestat_get":
      return () => ERRNO_BADF;
    case "fd_fdstat_get":
      return (fd: number, out: number) => {
        if (fd !== 1 && fd !== 2) return ERRNO_BADF;
        const mem = memory();
        if (mem) new Uint8Array(mem.buffer, out >>> 0, 24).set(new Uint8Array(24));
        if (mem) new DataView(mem.buffer).setBigUint64((out >>> 0) + 8, 64n, true); // rights: fd_write
        return ERRNO_SUCCESS;
      };
    default:
      return () => ERRNO_NOSYS;
  }
}

/**
 * Builds one WASI module's functions restricted to `names`; stdout/stderr writes are reported to
 * `onOutput` (Envoy turns them into info/error logs).
 */
export function wasiImports(
  wasi: Wasi,
  names: Set<string>,
  memory: () => WebAssembly.Memory | null,
  onOutput: (fd: number, text: string) => void,
): Record<string, WasiFn> {
  const base = wasi.imports() as Record<string, WasiFn>;
  const out: Record<string, WasiFn> = {};
  for (const name of names) out[name] = base[name] ?? stub(name, memory);
  const write = base.fd_write;
  out.fd_write = (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
    const before = wasi.output.length;
    const rc = write(fd, iovs, iovsLen, nwritten);
    for (const text of wasi.output.slice(before)) onOutput(fd, text);
    return rc;
  };
  return out;
}
