// asc transform: stores the string literals of the filter's own sources once, as UTF-8 bytes. An AS string
// literal is static UTF-16 data with a 20-byte object header (and a data segment split around the header's
// zero words): two bytes a character plus ~30 bytes each, ~40 KB for the filter's ~700 literals, almost all
// of them messages that are never shown. After parsing, every literal expression outside decorators and
// import/export paths becomes `__utf8Literal(id)`; the texts go into one blob in a generated module that
// assembly/kernel/utf8-literals.ts decodes (once per literal, on first use). Identical texts share an id.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const RUNTIME = "assembly/kernel/utf8-literals.ts";
const DATA = "assembly/kernel/utf8-literal-data.ts";
// AssemblyScript's node kinds and literal kinds (src/ast.ts), stable across 0.2x.
const KIND_LITERAL = 17, KIND_EXPORT = 36, KIND_IMPORT = 43, LITERAL_STRING = 2;
/** Library sources (~lib, packages) keep their literals. */
const SOURCE_LIBRARY = 2;
/** The table packs a byte length below 4096 and an offset below 1 MiB. */
const MAX_LENGTH = 4095, MAX_BLOB = 1 << 20;

export default class Utf8Literals {
  afterParse(parser) {
    const ids = new Map();
    const table = [];
    const blob = [];
    const isNode = (v) => v !== null && typeof v === "object" && typeof v.kind === "number" && v.range !== undefined;
    const replacement = (node) => {
      if (node.kind !== KIND_LITERAL || node.literalKind !== LITERAL_STRING) return null;
      const bytes = Buffer.from(node.value, "utf8");
      // Lone surrogates have no UTF-8 form: such a literal stays as it is.
      if (bytes.toString("utf8") !== node.value || bytes.length > MAX_LENGTH || blob.length + bytes.length > MAX_BLOB) return null;
      let id = ids.get(node.value);
      if (id === undefined) {
        id = table.length;
        ids.set(node.value, id);
        table.push((blob.length | (bytes.length << 20)) >>> 0);
        for (const b of bytes) blob.push(b);
      }
      const Node = Object.getPrototypeOf(Object.getPrototypeOf(node.constructor));
      return Node.createCallExpression(Node.createIdentifierExpression("__utf8Literal", node.range), null,
        [Node.createIntegerLiteralExpression(globalThis.i64_new(id, 0), node.range)], node.range);
    };
    const visit = (node) => {
      for (const key of Object.keys(node)) {
        if (key === "range" || key === "decorators") continue;
        if ((node.kind === KIND_IMPORT || node.kind === KIND_EXPORT) && key === "path") continue;
        const value = node[key];
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            if (!isNode(value[i])) continue;
            const r = replacement(value[i]);
            if (r) value[i] = r; else visit(value[i]);
          }
        } else if (isNode(value)) {
          const r = replacement(value);
          if (r) node[key] = r; else visit(value);
        }
      }
    };
    for (const source of parser.sources) {
      if (source.sourceKind >= SOURCE_LIBRARY || source.normalizedPath.startsWith("~lib/")) continue;
      visit(source);
    }
    const lines = (values) => values.join(",").replace(/(([^,]*,){32})/g, "$1\n  ");
    parser.parseFile(`// GENERATED at compile time by scripts/transforms/utf8-literals.mjs: the string literals as UTF-8.
/** The literals' texts, one after another. */
// @ts-ignore: decorator
@lazy export const LITERAL_TEXT: usize = memory.data<u8>([
  ${lines(blob.length ? blob : [0])}
]);
/** Per literal: offset in LITERAL_TEXT | byte length << 20. */
// @ts-ignore: decorator
@lazy export const LITERAL_TABLE: usize = memory.data<u32>([
  ${lines(table.length ? table : [0])}
]);
/** Per literal: its decoded string once it was used (pinned), else 0. */
// @ts-ignore: decorator
@lazy export const LITERAL_CACHE: usize = memory.data(${4 * Math.max(1, table.length)}, 4);
`, DATA, false);
    parser.parseFile(readFileSync(join(ROOT, RUNTIME), "utf8"), RUNTIME, false);
  }
}
