// Callouts a root context makes on its own (Envoy: credential fetches from instance metadata, the
// container endpoint or STS are dispatched from the root, for no stream). Host.request() performs only
// its own stream's callouts, so the gateway performs these as Envoy's cluster manager would, while any
// request waits (APISIX makes every callout for the current request: nothing to do there).
import type { Host } from "../emulator/index.ts";
import { performEnvoyCallout } from "../emulator/hosts/envoy/callouts.ts";

const POLL_MS = 5;

export class RootCallouts {
  private readonly inFlight = new Set<number>();
  private readonly timer?: NodeJS.Timeout;

  /** `note` receives why a callout failed (as the host's own events say it). */
  constructor(private readonly host: Host, clusters: Record<string, string>, note: (message: string) => void) {
    if (host.profile !== "envoy") return;
    this.timer = setInterval(() => {
      for (const callout of host.getPendingCallouts()) {
        if (callout.streamId !== 0 || this.inFlight.has(callout.token)) continue;
        this.inFlight.add(callout.token);
        void performEnvoyCallout(callout, clusters, note).then((answer) => {
          this.inFlight.delete(callout.token);
          this.host.callOnHttpCallResponse(callout.rootId, callout.token, answer);
        });
      }
    }, POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
