// WASI imports per profile: the shim in wasi.ts for what a filter really uses, plus proxy-wasm-cpp-host's
// answers (src/exports.cc, 52a0291) to the rest of FOR_ALL_WASI_FUNCTIONS — there are no files, sockets or
// other descriptors than stdout and stderr. The emulator gives APISIX (wasmtime, no preopened dirs) the
// same answers.
import type { Wasi } from "./wasi.ts";

const SUCCESS = 0;
const BADF = 8;
const NOTDIR = 20;
const FAULT = 21;
const NOENT = 44;
const NOSYS = 52;
const NOTSUP = 58;

type WasiFn = (...args: any[]) => number | void;

/** What the module's memory looks like to a stub (null before instantiation). */
type MemoryView = () => WebAssembly.Memory | null;

const stdio = (fd: number) => fd === 1 || fd === 2;

/** Writes `bytes` at `ptr`; false when the memory is not there. */
function put(memory: MemoryView, ptr: number, write: (view: DataView) => void): boolean {
  const mem = memory();
  if (!mem) return false;
  write(new DataView(mem.buffer));
  return true;
}

/** cpp-host's answer for `name`, for the calls wasi.ts does not implement. */
function stub(name: string, memory: MemoryView, write: WasiFn): WasiFn {
  switch (name) {
    case "fd_seek": // logs "wasi_unstable fd_seek" at trace
    case "fd_close":
    case "fd_advise":
    case "args_get":
    case "sched_yield": // the only thread
      return () => SUCCESS;
    case "path_open":
      return () => NOENT;
    case "fd_prestat_get": // no preopened directories
    case "fd_filestat_get":
      return () => BADF;
    case "fd_prestat_dir_name":
    case "fd_fdstat_set_flags":
    case "fd_read": // "Don't support reading of any files"
    case "fd_pread":
      return () => NOSYS;
    case "fd_fdstat_get":
      return (fd: number, out: number) => {
        if (!stdio(fd)) return BADF;
        put(memory, out >>> 0, (v) => {
          v.setBigUint64(out >>> 0, 0n, true);
          v.setBigUint64((out >>> 0) + 8, 64n, true); // rights: fd_write
          v.setBigUint64((out >>> 0) + 16, 0n, true);
        });
        return SUCCESS;
      };
    case "fd_allocate":
    case "fd_datasync":
    case "fd_fdstat_set_rights":
    case "fd_filestat_set_size":
    case "fd_filestat_set_times":
    case "fd_sync":
      return (fd: number) => (stdio(fd) ? SUCCESS : BADF);
    case "fd_pwrite":
      return (fd: number, iovs: number, len: number, _offset: bigint, nwritten: number) => (stdio(fd) ? write(fd, iovs, len, nwritten) : BADF);
    case "fd_readdir":
      return (_fd: number, _buf: number, _len: number, _cookie: bigint, nread: number) =>
        (put(memory, nread >>> 0, (v) => v.setUint32(nread >>> 0, 0, true)) ? NOTDIR : FAULT);
    case "fd_renumber":
      return (fd: number, to: number) => (stdio(fd) && stdio(to) ? NOTSUP : BADF);
    case "fd_tell":
      return (fd: number, out: number) => {
        if (!stdio(fd)) return BADF;
        return put(memory, out >>> 0, (v) => v.setBigUint64(out >>> 0, 0n, true)) ? SUCCESS : FAULT;
      };
    case "poll_oneoff": // no events; Go's runtime needs success
      return (_in: number, _out: number, _n: number, nevents: number) =>
        (put(memory, nevents >>> 0, (v) => v.setUint32(nevents >>> 0, 0, true)) ? SUCCESS : FAULT);
    default: // path_* (but path_open), path_filestat_get, sock_*
      return () => NOTSUP;
  }
}

/**
 * Builds one WASI module's functions restricted to `names`; stdout/stderr writes are reported to
 * `onOutput` (Envoy turns them into info/error logs). With `exitReturns`, proc_exit only reports itself
 * to `onExit` and returns to the module (cpp-host: `context->error("wasi_unstable proc_exit")`, which
 * Envoy logs at trace); otherwise it ends the module's call as a trap (wasmtime).
 */
export function wasiImports(
  wasi: Wasi,
  names: Set<string>,
  memory: MemoryView,
  onOutput: (fd: number, text: string) => void,
  exit: { returns: boolean; onExit: (code: number) => void },
): Record<string, WasiFn> {
  const base = wasi.imports() as Record<string, WasiFn>;
  const write = base.fd_write;
  const fdWrite = (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
    const before = wasi.output.length;
    const rc = write(fd, iovs, iovsLen, nwritten);
    for (const text of wasi.output.slice(before)) onOutput(fd, text);
    return rc;
  };
  const out: Record<string, WasiFn> = {};
  for (const name of names) out[name] = base[name] ?? stub(name, memory, fdWrite);
  if (names.has("fd_write")) out.fd_write = fdWrite;
  if (exit.returns && names.has("proc_exit")) out.proc_exit = (code: number) => exit.onExit(code);
  return out;
}
