// Apache APISIX (wasm-nginx-module on wasmtime, driven by apisix/wasm.lua) as a HostBehaviour.
import type { Callout, Reply, RequestOptions, RequestSpec } from "../../types.ts";
import type { Answer } from "../../vm-state.ts";
import type { BehaviourDeps, Driver, HostBehaviour } from "../behaviour.ts";
import { ApisixCalls } from "./calls.ts";
import { performApisixCallout, shapeApisixAnswer } from "./callouts.ts";
import { ApisixContexts } from "./contexts.ts";
import { APISIX_LINKING } from "./linking.ts";
import { ApisixRequest } from "./request.ts";

export class ApisixBehaviour implements HostBehaviour {
  readonly profile = "apisix";
  readonly linking = APISIX_LINKING;
  readonly calls: ApisixCalls;
  readonly contexts: ApisixContexts;
  private readonly deps: BehaviourDeps;

  constructor(deps: BehaviourDeps) {
    this.deps = deps;
    this.calls = new ApisixCalls(deps.vm, deps.options);
    this.contexts = new ApisixContexts(deps);
  }

  /** nginx does not log a module's stdout/stderr. */
  moduleOutput(): void {}

  shapeAnswer(answer: Answer): Answer {
    return shapeApisixAnswer(answer);
  }

  /** Every APISIX callout belongs to a request (proxy_http_call is refused outside one). */
  performCallout(c: Callout): Promise<Answer | null> {
    return performApisixCallout(c, this.deps.options.resolve, (m) => this.deps.vm.event(m));
  }

  request(driver: Driver, rootId: number, req: RequestSpec, opts: RequestOptions): Promise<Reply> {
    return new ApisixRequest(driver, this.contexts, req, opts).execute(rootId);
  }
}
