// Deterministic tar archives built in memory with tar-stream: entries in the order given, owner 0:0,
// no user or group names, one fixed mtime, so the same files always give the same bytes (and digests).
import tarStream from "tar-stream";

/** The mtime of every entry: the Unix epoch, as reproducible-builds tools use without SOURCE_DATE_EPOCH. */
export const FIXED_MTIME = new Date(0);

/** A tar of `entries` ({name, data} files, or {name, directory: true}), in that order. */
export function tarOf(entries) {
  const pack = tarStream.pack();
  const chunks = [];
  pack.on("data", (chunk) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => {
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const entry of entries) {
    const header = { name: entry.name, mtime: FIXED_MTIME, uid: 0, gid: 0, uname: "", gname: "" };
    if (entry.directory) pack.entry({ ...header, type: "directory", mode: 0o755 });
    else pack.entry({ ...header, type: "file", mode: 0o644, size: entry.data.length }, entry.data);
  }
  pack.finalize();
  return done;
}
