// Seeds, scale and case counting shared by the fuzz-*.test.ts files. Every run is reproducible:
// FUZZ_SEED (printed by each file) fixes every generator, FUZZ_SCALE multiplies every case count
// (1 in `npm test`, 10 in `npm run fuzz`). A failure message always says how to replay it.
import type { TestContext } from "node:test";
import fc from "fast-check";

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

/** Multiplier for every case count (FUZZ_SCALE, default 1). */
export const FUZZ_SCALE = envNumber("FUZZ_SCALE") ?? 1;

/** Base seed of this process (FUZZ_SEED, else random); each property derives its own from it and its name. */
export const FUZZ_SEED = (envNumber("FUZZ_SEED") ?? (Date.now() ^ Math.floor(Math.random() * 2 ** 31))) >>> 0;

/** The command that replays this run of `file`. */
export function replayHint(file: string): string {
  return `FUZZ_SEED=${FUZZ_SEED} FUZZ_SCALE=${FUZZ_SCALE} node --import tsx --test host-tests/${file}`;
}

/** `base` cases scaled by FUZZ_SCALE (at least 1). */
export function scaled(base: number): number {
  return Math.max(1, Math.round(base * FUZZ_SCALE));
}

/** A 32-bit seed for the property `name`, stable for a given FUZZ_SEED. */
export function seedFor(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return (hash ^ FUZZ_SEED) >>> 0;
}

/** A seeded pseudo-random source for loops that do not go through fast-check. */
export function rng(name: string): () => number {
  return seededRandom(seedFor(name));
}

/** mulberry32 from `seed`: a case can carry its own seed, so shrinking replays the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tally = new Map<string, number>();

/** Adds `cases` to this file's count (reported by reportCases). */
export function countCases(label: string, cases: number): void {
  tally.set(label, (tally.get(label) ?? 0) + cases);
}

/** Logs the per-property and total case counts of this file (call from an `after` hook). */
export function reportCases(file: string): void {
  let total = 0;
  for (const [label, cases] of tally) {
    total += cases;
    console.log(`# fuzz ${file}: ${label}: ${cases} cases`);
  }
  console.log(`# fuzz ${file}: ${total} cases in total (FUZZ_SEED=${FUZZ_SEED}, FUZZ_SCALE=${FUZZ_SCALE})`);
}

/**
 * Runs a fast-check property `numRuns` times with a seed derived from `label`, counts the cases (unless the
 * caller counts finer-grained ones itself), and on
 * failure rethrows with the replay command. Shrinking is capped: hosts are shared between cases, so a
 * long shrink mostly replays state, and the seed already reproduces the failure.
 */
export async function fuzz<T>(t: TestContext, file: string, label: string, numRuns: number,
  property: fc.IAsyncProperty<T> | fc.IProperty<T>, options: { countRuns?: boolean } = {}): Promise<void> {
  const seed = seedFor(label);
  t.diagnostic(`${label}: ${numRuns} cases, seed ${seed}; replay with ${replayHint(file)}`);
  const started = performance.now();
  try {
    await fc.assert(property as fc.IAsyncProperty<T>, { seed, numRuns, endOnFailure: false, maxSkipsPerRun: 0, markInterruptAsFailure: true, includeErrorInReport: true });
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(`${label} failed (replay: ${replayHint(file)})\n${message.length > 6000 ? `${message.slice(0, 3000)}\n…\n${message.slice(-3000)}` : message}`);
  } finally {
    if (options.countRuns !== false) countCases(label, numRuns);
    t.diagnostic(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
