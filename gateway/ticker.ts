// Envoy calls a root context back every tick period it asked for, whether or not a request is running:
// that is when fetched credentials are refreshed in the background. Host.request() ticks only while a
// request waits, so between requests the gateway ticks the serving root itself (APISIX has no ticks).
import type { Host } from "../emulator/index.ts";

const TICK_MS = 1000;

export class Ticker {
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  /** Ticks the root `rootId()` names, when it has a tick period; `note` hears why a tick failed. */
  constructor(host: Host, rootId: () => number | undefined, note: (message: string) => void) {
    this.timer = setInterval(() => {
      const id = rootId();
      if (this.busy || id === undefined || host.failed) return;
      this.busy = true;
      host.tick(id).catch((error: Error) => note(`tick failed: ${error.message}`)).finally(() => { this.busy = false; });
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
