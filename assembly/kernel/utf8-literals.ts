// String literals kept as UTF-8 data (scripts/transforms/utf8-literals.mjs): at compile time each literal of
// the filter's own sources becomes `__utf8Literal(id)`, and the texts one UTF-8 blob in the generated
// module ./utf8-literal-data. A literal is decoded to a string once, on first use, and pinned: messages
// that are never shown cost one byte a character, where a literal costs two and a 20-byte header.
// Only the transform brings this file into a build.
import { LITERAL_CACHE, LITERAL_TABLE, LITERAL_TEXT } from "./utf8-literal-data";

/** The text of literal `id`: the table packs its offset in the blob (low 20 bits) and its byte length. */
// @ts-ignore: decorator
@global export function __utf8Literal(id: i32): string {
  const slot = LITERAL_CACHE + (<usize>id << 2);
  const cached = load<usize>(slot);
  if (cached != 0) return changetype<string>(cached);
  const entry = load<u32>(LITERAL_TABLE + (<usize>id << 2));
  const text = String.UTF8.decodeUnsafe(LITERAL_TEXT + <usize>(entry & 0xfffff), <usize>(entry >>> 20));
  store<usize>(slot, changetype<usize>(__pin(changetype<usize>(text))));
  return text;
}
