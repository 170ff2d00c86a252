// Envoy's notion of "the context a host call acts on": the callback's own context, or the one the
// filter selected with proxy_set_effective_context (contextOrEffectiveContext() in context.cc).
import type { CallResponse, StreamContext, VmState } from "../../vm-state.ts";

/** Whether proxy_set_effective_context may select `id` (Envoy has a VM context 0). */
export function contextExists(vm: VmState, id: number): boolean {
  return id === 0 || vm.roots.has(id) || (vm.streams.has(id) && !vm.streams.get(id)!.deleted);
}

/** contextOrEffectiveContext(): the id host calls act on. */
export function effectiveId(vm: VmState): number {
  const f = vm.frame;
  if (!f) return 0;
  if (f.effectiveId !== null && contextExists(vm, f.effectiveId)) return f.effectiveId;
  return f.contextId;
}

/** The stream host calls act on, if the effective context is one. */
export function effectiveStream(vm: VmState): StreamContext | undefined {
  return vm.streams.get(effectiveId(vm));
}

/** The callout response readable now: only in its callback, and only from the root it answers. */
export function readableCallResponse(vm: VmState): CallResponse | undefined {
  const cr = vm.frame?.callResponse;
  if (!cr || cr.failed) return undefined;
  return vm.rootOf(effectiveId(vm)) === cr.rootId ? cr : undefined;
}
