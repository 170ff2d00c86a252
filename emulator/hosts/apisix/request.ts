// One whole request as APISIX drives the filter: configure retried until it succeeds (twice per request:
// apisix/wasm.lua's access and header-filter wrappers), headers with end_of_stream = 1, proxy-wasm.lua's
// loop (perform the registered callout, deliver its response, again), then the whole body only if the
// filter set wasm_process_req_body, and the same loop; then on_done, on_delete (never on_log). A callback
// that neither replies nor calls out lets the request continue to the route's upstream.
import { RequestRun } from "../../request-run.ts";
import { forCaller } from "../../text.ts";
import type { Callout, Pairs, Reply, RequestOptions, RequestSpec } from "../../types.ts";
import { EMPTY, type Answer, type ApisixOutcome } from "../../vm-state.ts";
import type { ContextLifecycle, Driver } from "../behaviour.ts";
import { performApisixCallout } from "./callouts.ts";
import type { LuaTableOrder } from "./lua-order.ts";
import { proxyApisix } from "./proxying.ts";
import { errorPage, localReplyHeaders } from "./replies.ts";

export class ApisixRequest extends RequestRun {
  constructor(driver: Driver, private readonly contexts: ContextLifecycle, private readonly order: LuaTableOrder,
    req: RequestSpec, opts: RequestOptions) {
    super(driver, req, opts);
  }

  protected async run(rootId: number): Promise<Reply> {
    const driver = this.driver;
    const root = driver.vm.roots.get(rootId)!;
    if (!root.accepted) {
      // fetch_plugin_ctx (wasm.lua 47-72) retries proxy_on_configure on the freed root id; on failure the
      // access wrapper answers 503 and the header filter wrapper tries once more.
      root.accepted = this.contexts.startRoot(rootId, root.config);
      if (!root.accepted) {
        root.accepted = this.contexts.startRoot(rootId, root.config);
        return this.hostError(503, "failed to fetch wasm plugin ctx");
      }
    }
    this.streamId = driver.newStream(rootId);
    driver.deliverRequestHeaders(this.streamId, [...this.pseudo(), ...this.headers], true);
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
      return this.hostError(503, `wasm VM failed: ${driver.vm.trap?.message}`);
    }
    const s = this.s;
    switch (outcome?.kind) {
      case "local":
        return this.reply({ status: outcome.status, headers: localReplyHeaders(s.replyHeaders), body: s.localResponse?.body ?? EMPTY,
          details: s.localResponse?.details });
      case "error":
        return this.hostError(503, `failed to run wasm plugin (rc ${outcome.rc})`);
      default: {
        if (driver.options.upstream) return this.reply(await proxyApisix(driver, this.streamId, Buffer.concat(this.chunks), this.client));
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

  /** An error APISIX answers itself (wasm.lua returns the code): nginx's HTML error page. */
  private hostError(status: number, details: string): Reply {
    return this.reply({ status, ...errorPage(status), details });
  }

  protected failedReply(streamId: number): Reply {
    const page = errorPage(503);
    return { status: 503, headers: page.headers, body: page.body, streamId, continued: false, details: `wasm VM failed: ${this.driver.vm.trap?.message}` };
  }

  protected perform(c: Callout): Promise<Answer | null> {
    return performApisixCallout(c, this.driver.options, (m) => this.driver.vm.event(m), this.order);
  }

  /** on_done, on_delete (skipped on a failed VM). */
  protected finish(): void {
    if (this.driver.failed || this.s.deleted) return;
    this.driver.callOnDone(this.streamId);
    this.driver.callOnDelete(this.streamId);
  }
}
