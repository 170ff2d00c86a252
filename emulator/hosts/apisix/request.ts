// One whole request as APISIX drives the filter: headers with end_of_stream = 1, proxy-wasm.lua's loop
// (perform the registered callout, deliver its response, again), then the whole body only if the
// filter set wasm_process_req_body, and the same loop; then on_done, on_delete (never on_log).
import { firstValue } from "../../header-map.ts";
import { RequestRun } from "../../request-run.ts";
import { forCaller } from "../../text.ts";
import type { Callout, Pairs, Reply, RequestOptions, RequestSpec } from "../../types.ts";
import { EMPTY, type Answer, type ApisixOutcome } from "../../vm-state.ts";
import type { ContextLifecycle, Driver } from "../behaviour.ts";
import { performApisixCallout } from "./callouts.ts";

export class ApisixRequest extends RequestRun {
  constructor(driver: Driver, private readonly contexts: ContextLifecycle, req: RequestSpec, opts: RequestOptions) {
    super(driver, req, opts);
  }

  protected async run(rootId: number): Promise<Reply> {
    const driver = this.driver;
    const root = driver.vm.roots.get(rootId)!;
    if (!root.accepted) {
      // fetch_plugin_ctx retries proxy_on_configure on every request until it succeeds.
      root.accepted = this.contexts.startRoot(rootId, root.config);
      if (!root.accepted) return this.reply({ status: 503, details: "failed to fetch wasm plugin ctx" });
    }
    this.streamId = driver.newStream(rootId);
    const headers: Pairs = firstValue(this.headers, "host") ? this.headers : [["host", this.authority], ...this.headers];
    driver.deliverRequestHeaders(this.streamId, [...this.pseudo(), ...headers], true);
    let outcome = await this.loop();
    if (outcome !== "pending" && outcome?.kind === "continue") {
      const flag = this.s.properties.get("wasm_process_req_body");
      if (flag && flag.length > 0) {
        this.s.properties.set("wasm_process_req_body", EMPTY); // reset for the next wasm plugin
        driver.callOnRequestBody(this.streamId, Buffer.concat(this.chunks), true);
        outcome = await this.loop();
      }
    }
    if (outcome === "pending") return this.pendingReply();
    if (driver.failed) {
      if (outcome?.kind === "crash") return this.reply({ stalled: `worker crashed: ${outcome.reason}` });
      return this.reply(this.failedReply(this.streamId));
    }
    const s = this.s;
    switch (outcome?.kind) {
      case "local":
        return this.reply({ status: outcome.status, headers: [...s.replyHeaders], body: s.localResponse?.body ?? EMPTY, details: s.localResponse?.details });
      case "error":
        return this.reply({ status: 503, details: `failed to run wasm plugin (rc ${outcome.rc})` });
      default: {
        const upstream: Pairs = [[":method", s.info.method], [":path", s.info.rewrittenPath ?? s.info.path], [":authority", s.info.authority], [":scheme", s.info.scheme], ...s.headers];
        const readable: Pairs = upstream.map(([k, v]) => [forCaller(k), forCaller(v)]);
        return this.reply({ continued: true, upstreamRequest: { headers: readable, body: Buffer.concat(this.chunks) } });
      }
    }
  }

  /** proxy-wasm.lua's `while true` loop: perform each registered callout and deliver its response. */
  private async loop(): Promise<ApisixOutcome | "pending" | undefined> {
    for (;;) {
      if (this.driver.failed) return this.s.apisixOutcome?.kind === "crash" ? this.s.apisixOutcome : undefined;
      const outcome = this.s.apisixOutcome;
      if (outcome?.kind !== "call") return outcome;
      this.s.apisixOutcome = undefined;
      if (!(await this.answer(outcome.callout))) return "pending";
    }
  }

  protected failedReply(streamId: number): Reply {
    return apisixFailedReply(this.driver.vm.trap, streamId);
  }

  protected perform(c: Callout): Promise<Answer | null> {
    return performApisixCallout(c, this.driver.options.resolve, (m) => this.driver.vm.event(m));
  }

  /** on_done, on_delete (skipped on a failed VM). */
  protected finish(): void {
    if (this.driver.failed || this.s.deleted) return;
    this.driver.callOnDone(this.streamId);
    this.driver.callOnDelete(this.streamId);
  }
}

/** The reply once the VM has failed (on APISIX only this worker's requests). */
function apisixFailedReply(trap: Error | undefined, streamId: number): Reply {
  return { status: 503, headers: [], body: EMPTY, streamId, continued: false, details: `wasm VM failed: ${trap?.message}` };
}
