// The watched --config file: an edit is applied without a restart; an unreadable or deleted file keeps the last
// good config serving, and so does a refused edit on Envoy (on APISIX the route answers 503 until it is fixed).
import { unwatchFile, watchFile, type Stats } from "node:fs";
import { readConfigSource } from "./config-source.ts";
import type { Serving } from "./serving.ts";

/** Polls `file`; returns a function that stops watching. */
export function watchConfig(file: string, serving: Serving, route: string, say: (line: string) => void): () => void {
  let applying = Promise.resolve();
  const changed = (current: Stats, previous: Stats) => {
    // Edits are applied one after the other, in the order they were seen.
    applying = applying.then(() => apply(current, previous));
  };
  const apply = async (current: Stats, previous: Stats): Promise<void> => {
    if (current.nlink === 0 && current.mtimeMs === 0) {
      if (previous.mtimeMs !== 0) say(`${file} was deleted: still serving the last good config (root context ${serving.current?.rootId}); recreate the file to apply a new one`);
      return;
    }
    let source;
    try {
      source = readConfigSource(file);
    } catch (error) {
      say(`kept the previous config: cannot use ${file}: ${(error as Error).message}`);
      return;
    }
    if (await serving.apply(source.text, route)) say(`applied the new config from ${file} (root context ${serving.current?.rootId})`);
    else if (serving.host.profile !== "apisix") say("kept the previous config: the new one was refused");
  };
  watchFile(file, { interval: 200 }, changed);
  return () => unwatchFile(file, changed);
}
