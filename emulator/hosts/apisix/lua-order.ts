// The order in which a Lua table hands over header names: proxy-wasm.lua passes callout headers to
// lua-resty-http and back as tables keyed by name, so `pairs()` decides the order — arbitrary in the
// real host, a seeded shuffle here (the same seed gives the same orders). Values of one name stay
// together and in order (a name's values are a Lua list).
import type { Pairs } from "../../types.ts";

export class LuaTableOrder {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** mulberry32: a small deterministic PRNG in [0, 1). */
  private next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `pairs` grouped by (lower-case) name, the groups in this table's order. */
  arrange(pairs: Pairs): Pairs {
    const groups = new Map<string, Pairs>();
    for (const pair of pairs) {
      const key = pair[0].toLowerCase();
      const group = groups.get(key);
      if (group) group.push(pair);
      else groups.set(key, [pair]);
    }
    const order = [...groups.values()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.flat();
  }
}
