// What a host links and how it loads a module, as data (one Linking per host: envoy/linking.ts,
// apisix/linking.ts). loader.ts and abi.ts read it; nothing here runs during a request.
import type { WasmResult } from "../enums.ts";

export type AbiVersion = "0_1_0" | "0_2_0" | "0_2_1";

/** The export that declares each ABI version. */
export const ABI_EXPORTS: Record<AbiVersion, string> = {
  "0_1_0": "proxy_abi_version_0_1_0",
  "0_2_0": "proxy_abi_version_0_2_0",
  "0_2_1": "proxy_abi_version_0_2_1",
};

/** The WASI module names both hosts link. */
export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"];

/** All of WASI preview 1 (what wasmtime's linker defines). */
export const WASI_PREVIEW1 = [
  "fd_write", "fd_read", "fd_seek", "fd_close", "fd_fdstat_get", "environ_get", "environ_sizes_get",
  "args_get", "args_sizes_get", "clock_time_get", "random_get", "proc_exit", "path_open",
  "fd_prestat_get", "fd_prestat_dir_name", "clock_res_get", "fd_advise", "fd_allocate", "fd_datasync",
  "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
  "fd_filestat_set_times", "fd_pread", "fd_pwrite", "fd_readdir", "fd_renumber", "fd_sync", "fd_tell",
  "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_readlink",
  "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff", "proc_raise",
  "sched_yield", "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
];

/** `proxy_` + each name. */
export const prefixed = (names: string[]): Set<string> => new Set(names.map((n) => `proxy_${n}`));

/** How one host loads a module and what it links. */
export interface Linking {
  /** The host's name in load errors. */
  hostName: string;
  /** ABI version from the module's exports; null = the host refuses the module. */
  detectAbi(exportNames: string[]): AbiVersion | null;
  /** env.proxy_* names the host links for that ABI version. */
  envFunctions(abi: AbiVersion): Set<string>;
  /** Linked but answering Unimplemented without doing anything. */
  unimplemented: Set<string>;
  /** Linked, do nothing, answer Ok. */
  noops: Set<string>;
  /** Features the emulator does not model (answer Unimplemented, recorded as host events). */
  notEmulated: Set<string>;
  /** WASI function names linked under each of WASI_MODULES. */
  wasiFunctions: Set<string>;
  /** Allocator exports in the order the host tries them. */
  allocators: string[];
  /** Whether a 0 from one allocator sends the host on to the next (else 0 is the answer). */
  nextAllocatorOnFailure: boolean;
  /** Whether the host refuses a module without an allocator (else each later copy into it fails). */
  allocatorRequired: boolean;
  /** Start functions to run after instantiation, given the exports. */
  startFunctions(exportNames: string[]): string[];
  /** Result of a host→module copy when the allocator returns 0. */
  allocFailure: WasmResult;
  /** Whether an empty result still writes ptr 0 into the return pointer. */
  writePtrWhenEmpty: boolean;
  /** Whether proxy_http_call writes 0 to the token slot before dispatching (checking the pointer). */
  zeroTokenSlotFirst: boolean;
  /** Whether WASI proc_exit returns to the module (cpp-host only logs it) instead of ending the call. */
  procExitReturns: boolean;
}
