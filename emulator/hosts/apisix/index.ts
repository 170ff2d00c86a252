// Apache APISIX (wasm-nginx-module on wasmtime, driven by apisix/wasm.lua) as a HostBehaviour.
import type { Callout, Reply, RequestOptions, RequestSpec } from "../../types.ts";
import type { Answer } from "../../vm-state.ts";
import type { BehaviourDeps, Driver, HostBehaviour } from "../behaviour.ts";
import { ApisixCalls } from "./calls.ts";
import { performApisixCallout, shapeApisixAnswer } from "./callouts.ts";
import { ApisixContexts } from "./contexts.ts";
import { APISIX_LINKING } from "./linking.ts";
import { LuaTableOrder } from "./lua-order.ts";
import { ApisixRequest } from "./request.ts";

export class ApisixBehaviour implements HostBehaviour {
  readonly profile = "apisix";
  readonly linking = APISIX_LINKING;
  readonly calls: ApisixCalls;
  readonly contexts: ApisixContexts;
  private readonly deps: BehaviourDeps;
  /** The worker's Lua tables: one arbitrary (seeded) order for every callout's headers. */
  private readonly order: LuaTableOrder;

  constructor(deps: BehaviourDeps) {
    this.deps = deps;
    this.calls = new ApisixCalls(deps.vm, deps.options);
    this.contexts = new ApisixContexts(deps);
    this.order = new LuaTableOrder(deps.options.seed ?? 1);
  }

  /** nginx does not log a module's stdout/stderr. */
  moduleOutput(): void {}

  shapeAnswer(answer: Answer): Answer {
    return shapeApisixAnswer(answer, this.order);
  }

  /** Every APISIX callout belongs to a request (proxy_http_call is refused outside one). */
  performCallout(c: Callout): Promise<Answer | null> {
    return performApisixCallout(c, this.deps.options, (m) => this.deps.vm.event(m), this.order);
  }

  request(driver: Driver, rootId: number, req: RequestSpec, opts: RequestOptions): Promise<Reply> {
    return new ApisixRequest(driver, this.contexts, this.order, req, opts).execute(rootId);
  }
}
