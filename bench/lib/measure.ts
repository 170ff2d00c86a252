// Interleaved measurement: every case of a comparison runs once per round, in turn (A, B, C, A, B, C …),
// after a warm-up that also calibrates each case's batch size to about `batchMs`. A sample is one batch's
// time per operation; the summary is the median with min–max and the interquartile range.

export interface Summary {
  median: number;
  min: number;
  max: number;
  q1: number;
  q3: number;
  rounds: number;
  /** Operations per batch (per sample). */
  batch: number;
  /** Per-round samples in round order (index i of two cases = the same round, measured back to back). */
  samples: number[];
}

export interface Case {
  name: string;
  /** Runs `n` operations; may be async. */
  run: (n: number) => unknown;
  /** When set, `run` returns (or resolves to) the batch's time in ms as it measured it: one step of each operation. */
  selfTimed?: boolean;
}

export interface CompareOptions {
  rounds: number;
  /** Target duration of one batch (ms). */
  batchMs: number;
  /** Warm-up time per case (ms), spent in the same interleaved order. */
  warmupMs: number;
  /** Scale each per-op time (default: µs per op). */
  unit?: "us" | "ms";
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: number[], batch: number): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), min: s[0], max: s[s.length - 1], q1: quantile(s, 0.25), q3: quantile(s, 0.75), rounds: s.length, batch, samples };
}

/** Difference a − b per round (both measured in the same round, back to back), summarized. */
export function pairedDifference(a: Summary, b: Summary): Summary {
  return summarize(a.samples.map((x, i) => x - b.samples[i]), 1);
}

/** (a − b) / c per round (all three measured in the same round): a share of a request relative to a kernel. */
export function pairedShareRatio(a: Summary, b: Summary, c: Summary): Summary {
  return summarize(a.samples.map((x, i) => (x - b.samples[i]) / c.samples[i]), 1);
}

/** Ratio a/b per round (both measured in the same round, back to back), summarized: robust to load drift. */
export function pairedRatio(a: Summary, b: Summary, invert = false): Summary {
  const r = a.samples.map((x, i) => (invert ? b.samples[i] / x : x / b.samples[i]));
  return summarize(r, 1);
}

async function timeBatch(c: Case, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  let r = c.run(n);
  if (r instanceof Promise) r = await r;
  const wall = Number(process.hrtime.bigint() - t0) / 1e6; // ms
  return c.selfTimed ? (r as number) : wall;
}

/** Measures every case interleaved; returns per-operation times (µs by default) by case name. */
export async function compare(cases: Case[], opts: CompareOptions): Promise<Map<string, Summary>> {
  const scale = opts.unit === "ms" ? 1 : 1000;
  // Warm-up and calibration, interleaved: grow each batch until it takes about batchMs.
  const batch = new Map<string, number>(cases.map((c) => [c.name, 1]));
  const warmUntil = performance.now() + opts.warmupMs * cases.length;
  let calibrated = false;
  while (!calibrated || performance.now() < warmUntil) {
    calibrated = true;
    for (const c of cases) {
      const n = batch.get(c.name)!;
      const ms = await timeBatch(c, n);
      if (ms < opts.batchMs * 0.8) {
        calibrated = false;
        const next = ms <= 0.01 ? n * 10 : Math.ceil(n * Math.min(10, (opts.batchMs / ms) * 1.05));
        batch.set(c.name, Math.max(1, next));
      }
    }
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const c of cases) {
      const n = batch.get(c.name)!;
      const ms = await timeBatch(c, n);
      samples.get(c.name)!.push((ms * scale) / n);
    }
  }
  return new Map(cases.map((c) => [c.name, summarize(samples.get(c.name)!, batch.get(c.name)!)]));
}
