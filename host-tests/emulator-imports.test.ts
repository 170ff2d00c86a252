// The emulator's files import one another without a cycle (type-only imports included), so each file
// can be read after the ones it builds on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const EMULATOR = join(import.meta.dirname, "..", "emulator");

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The emulator files `file` imports or re-exports from (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gms)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s));
}

/** The first import cycle found, as a list of files, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === "done") return null;
    if (state.get(file) === "visiting") return [...path.slice(path.indexOf(file)), file];
    state.set(file, "visiting");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, "done");
    return null;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return null;
}

test("the emulator's imports resolve to its own files and form no cycle", () => {
  const files = sources(EMULATOR);
  assert.ok(files.length > 10, `only ${files.length} emulator files found`);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  for (const [file, imports] of graph) {
    for (const target of imports) assert.ok(graph.has(target), `${relative(EMULATOR, file)} imports ${relative(EMULATOR, target)}, which does not exist`);
  }
  assert.ok(graph.get(join(EMULATOR, "host.ts"))!.length > 5, "host.ts's imports were not read");
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import cycle: ${cycle?.map((f) => relative(EMULATOR, f)).join(" → ")}`);
});
