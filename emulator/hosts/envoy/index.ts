// Envoy (proxy-wasm-cpp-host in Envoy's wasm filter) as a HostBehaviour.
import { LogLevel } from "../../enums.ts";
import type { Callout, Reply, RequestOptions, RequestSpec } from "../../types.ts";
import type { Answer, VmState } from "../../vm-state.ts";
import type { BehaviourDeps, Driver, HostBehaviour } from "../behaviour.ts";
import { EnvoyCalls, envoyLogLevel } from "./calls.ts";
import { performEnvoyCallout, shapeEnvoyAnswer } from "./callouts.ts";
import { effectiveId } from "./context.ts";
import { EnvoyContexts } from "./contexts.ts";
import { ENVOY_LINKING } from "./linking.ts";
import { EnvoyRequest } from "./request.ts";

export class EnvoyBehaviour implements HostBehaviour {
  readonly profile = "envoy";
  readonly linking = ENVOY_LINKING;
  readonly calls: EnvoyCalls;
  readonly contexts: EnvoyContexts;
  private readonly vm: VmState;
  private readonly deps: BehaviourDeps;

  constructor(deps: BehaviourDeps) {
    this.vm = deps.vm;
    this.deps = deps;
    this.calls = new EnvoyCalls(deps.vm, deps.options);
    this.contexts = new EnvoyContexts(deps);
  }

  /** Envoy logs module stdout at info and stderr at error, without the trailing newline. */
  moduleOutput(fd: number, text: string): void {
    const level = fd === 1 ? LogLevel.Info : LogLevel.Error;
    this.vm.recordLog(level, text.replace(/\n$/, ""), effectiveId(this.vm), envoyLogLevel(level), fd === 1 ? "stdout" : "stderr");
  }

  shapeAnswer(answer: Answer): Answer {
    return shapeEnvoyAnswer(answer);
  }

  performCallout(c: Callout): Promise<Answer | null> {
    return performEnvoyCallout(c, this.deps.options, (m) => this.vm.event(m));
  }

  request(driver: Driver, rootId: number, req: RequestSpec, opts: RequestOptions): Promise<Reply> {
    return new EnvoyRequest(driver, req, opts).execute(rootId);
  }
}
