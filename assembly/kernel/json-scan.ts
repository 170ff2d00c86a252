// A validating scan of a JSON document over its UTF-8 bytes, building no values: the rules of the reader
// (util/json-reader.ts — RFC 8259, no control characters in strings, only JSON escapes, no duplicate keys,
// bounded nesting, nothing after the value), so a reply can be judged and its top level searched for a
// member (statusCode) before deciding to read it whole. Keys are compared as the reader compares them:
// as UTF-16 after their escapes are decoded. Scratch memory is reused across scans.

/** scanJson's answers. */
export const SCAN_INVALID: i32 = -1;
export const SCAN_WITHOUT_KEY: i32 = 0;
export const SCAN_WITH_KEY: i32 = 1;

/** Members of one object compared with each other; past this many they go through the hash table. */
const FEW_KEYS = 8;
/** A key on the stack or in the table: start, end (bytes between the quotes), hash, object ordinal. */
const ENTRY: usize = 16;

/**
 * Scans the well-formed UTF-8 document [ptr, ptr + len): SCAN_INVALID when the reader would refuse it, else
 * whether its top level is an object with a member named `key` (ASCII).
 */
export function scanJson(ptr: usize, len: usize, maxDepth: i32, key: string): i32 {
  const scan = new Scanner(ptr, len, maxDepth, key);
  scan.skipSpace();
  let ok = scan.value(0, true);
  scan.skipSpace();
  ok = ok && scan.pos >= len;
  scan.clearTable();
  if (!ok) return SCAN_INVALID;
  return scan.found ? SCAN_WITH_KEY : SCAN_WITHOUT_KEY;
}

/** Hash table slots kept between scans (64 KiB); a larger table made by a huge document is dropped. */
const KEEP_TABLE = 65536;

// Scratch, grown as needed and kept: the keys of open objects that have few (a stack), the keys of objects
// with many (an open-addressing table, slots tagged with the object's ordinal), two keys decoded to UTF-16.
let stack = new ArrayBuffer(<i32>ENTRY * 64);
let table = new ArrayBuffer(0);
let decodedA = new ArrayBuffer(64);
let decodedB = new ArrayBuffer(64);

class Scanner {
  pos: usize = 0;
  found: bool = false;
  /** Entries on the key stack. */
  private depthKeys: i32 = 0;
  private ordinal: u32 = 0;
  private tableUsed: i32 = 0;
  // The last string scanned (bytes between the quotes) and whether it had escapes.
  private start: usize = 0;
  private end: usize = 0;
  private escaped: bool = false;

  constructor(private ptr: usize, private len: usize, private maxDepth: i32, private key: string) {}

  /** Empties the table for the next scan (its slots are tagged with this scan's object ordinals). */
  clearTable(): void {
    if (this.tableUsed == 0) return;
    if (table.byteLength > KEEP_TABLE) table = new ArrayBuffer(0);
    else memory.fill(changetype<usize>(table), 0, <usize>table.byteLength);
    this.tableUsed = 0;
  }

  private peek(): i32 {
    return this.pos < this.len ? <i32>load<u8>(this.ptr + this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.len) {
      const c = load<u8>(this.ptr + this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  value(depth: i32, top: bool = false): bool {
    this.skipSpace();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth + 1, top);
    if (c == 0x5b) return this.array(depth + 1);
    if (c == 0x22) return this.string();
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.literal("true") || this.literal("false") || this.literal("null");
  }

  private literal(word: string): bool {
    const n = <usize>word.length;
    if (this.len - this.pos < n) return false;
    for (let i: usize = 0; i < n; i++) {
      if (<u32>load<u8>(this.ptr + this.pos + i) != <u32>word.charCodeAt(<i32>i)) return false;
    }
    this.pos += n;
    return true;
  }

  private object(depth: i32, top: bool): bool {
    if (depth > this.maxDepth) return false;
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x7d) { this.pos++; return true; }
    const ordinal = ++this.ordinal;
    const base = this.depthKeys;
    let count = 0;
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22 || !this.string()) return false;
      if (count < FEW_KEYS) {
        for (let i = base; i < this.depthKeys; i++) {
          const entry = changetype<usize>(stack) + <usize>i * ENTRY;
          if (this.sameKey(load<u32>(entry), load<u32>(entry, 4), this.start, this.end, this.escaped)) return false;
        }
        this.push(this.start, this.end);
        if (top && !this.found) this.found = this.isKey(this.start, this.end, this.escaped);
      } else {
        if (count == FEW_KEYS) {
          // Many members: the ones so far move to the hash table, the rest go straight there.
          for (let i = base; i < this.depthKeys; i++) {
            const entry = changetype<usize>(stack) + <usize>i * ENTRY;
            this.insert(ordinal, load<u32>(entry), load<u32>(entry, 4));
          }
          this.depthKeys = base;
        }
        if (!this.insert(ordinal, <u32>this.start, <u32>this.end)) return false;
        if (top && !this.found) this.found = this.isKey(this.start, this.end, this.escaped);
      }
      count++;
      this.skipSpace();
      if (this.peek() != 0x3a) return false;
      this.pos++;
      if (!this.value(depth)) return false;
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) { this.depthKeys = base; return true; }
      if (c != 0x2c) return false;
    }
  }

  private array(depth: i32): bool {
    if (depth > this.maxDepth) return false;
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x5d) { this.pos++; return true; }
    while (true) {
      if (!this.value(depth)) return false;
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return true;
      if (c != 0x2c) return false;
    }
  }

  private digits(): usize {
    const start = this.pos;
    while (this.pos < this.len && <u32>(load<u8>(this.ptr + this.pos) - 0x30) <= 9) this.pos++;
    return this.pos - start;
  }

  private number(): bool {
    if (this.peek() == 0x2d) this.pos++;
    if (this.peek() == 0x30) {
      this.pos++;
      const c = this.peek();
      if (c >= 0x30 && c <= 0x39) return false; // a leading zero
    } else if (this.digits() == 0) return false;
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return false;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const sign = this.peek();
      if (sign == 0x2b || sign == 0x2d) this.pos++;
      if (this.digits() == 0) return false;
    }
    return true;
  }

  /** A string from its opening quote: no control characters, only JSON escapes; leaves its span in start/end. */
  private string(): bool {
    const ptr = this.ptr;
    const len = this.len;
    let i = ++this.pos;
    this.start = i;
    this.escaped = false;
    while (i < len) {
      const c = <u32>load<u8>(ptr + i);
      if (c == 0x22) {
        this.end = i;
        this.pos = i + 1;
        return true;
      }
      if (c < 0x20) return false;
      i++;
      if (c != 0x5c) continue;
      this.escaped = true;
      if (i >= len) return false;
      const e = <u32>load<u8>(ptr + i);
      i++;
      if (e == 0x75) {
        if (len - i < 4) return false;
        for (let k: usize = 0; k < 4; k++) if (hexValue(<u32>load<u8>(ptr + i + k)) < 0) return false;
        i += 4;
      } else if (e != 0x22 && e != 0x5c && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e && e != 0x72 && e != 0x74) {
        return false;
      }
    }
    return false; // unterminated
  }

  private push(start: usize, end: usize): void {
    const at = <usize>this.depthKeys * ENTRY;
    if (at + ENTRY > <usize>stack.byteLength) stack = grown(stack, <i32>at * 2);
    const entry = changetype<usize>(stack) + at;
    store<u32>(entry, <u32>start);
    store<u32>(entry, <u32>end, 4);
    this.depthKeys++;
  }

  /** Adds a key of object `ordinal` to the table; false when that object already has it. */
  private insert(ordinal: u32, start: u32, end: u32): bool {
    let slots = <u32>(table.byteLength / <i32>ENTRY);
    if (<u32>(this.tableUsed + 1) * 2 > slots) {
      this.rehash(max<u32>(64, slots * 2));
      slots = <u32>(table.byteLength / <i32>ENTRY);
    }
    const hash = this.hashOf(start, end);
    const base = changetype<usize>(table);
    let slot = hash & (slots - 1);
    while (true) {
      const entry = base + <usize>slot * ENTRY;
      const tag = load<u32>(entry, 12);
      if (tag == 0) break;
      if (tag == ordinal && load<u32>(entry, 8) == hash
        && this.sameKey(load<u32>(entry), load<u32>(entry, 4), start, end, hasEscape(this.ptr, start, end))) return false;
      slot = (slot + 1) & (slots - 1);
    }
    const entry = base + <usize>slot * ENTRY;
    store<u32>(entry, start);
    store<u32>(entry, end, 4);
    store<u32>(entry, hash, 8);
    store<u32>(entry, ordinal, 12);
    this.tableUsed++;
    return true;
  }

  private rehash(slots: u32): void {
    const old = table;
    const oldSlots = <u32>(old.byteLength / <i32>ENTRY);
    const next = new ArrayBuffer(<i32>(slots * <u32>ENTRY));
    for (let i: u32 = 0; i < oldSlots; i++) {
      const from = changetype<usize>(old) + <usize>i * ENTRY;
      if (load<u32>(from, 12) == 0) continue;
      let slot = load<u32>(from, 8) & (slots - 1);
      while (load<u32>(changetype<usize>(next) + <usize>slot * ENTRY, 12) != 0) slot = (slot + 1) & (slots - 1);
      memory.copy(changetype<usize>(next) + <usize>slot * ENTRY, from, ENTRY);
    }
    table = next;
  }

  /** FNV-1a over the key's UTF-16 units (escapes decoded), so equal keys hash alike however written. */
  private hashOf(start: u32, end: u32): u32 {
    const units = decode(this.ptr, start, end, true);
    const at = changetype<usize>(decodedA);
    let hash: u32 = 0x811c9dc5;
    for (let i = 0; i < units; i++) hash = (hash ^ <u32>load<u16>(at + (<usize>i << 1))) * 0x01000193;
    return hash;
  }

  /** Whether two keys (bytes between their quotes) are the same text once decoded. */
  private sameKey(aStart: u32, aEnd: u32, bStart: usize, bEnd: usize, bEscaped: bool): bool {
    const ptr = this.ptr;
    if (!bEscaped && !hasEscape(ptr, aStart, aEnd)) {
      // UTF-8 spells each text one way: equal bytes are equal text.
      const n = <usize>(aEnd - aStart);
      return n == bEnd - bStart && memory.compare(ptr + aStart, ptr + bStart, n) == 0;
    }
    const a = decode(ptr, aStart, aEnd, true);
    const b = decode(ptr, <u32>bStart, <u32>bEnd, false);
    return a == b && memory.compare(changetype<usize>(decodedA), changetype<usize>(decodedB), <usize>a << 1) == 0;
  }

  /** Whether the key spelled at [start, end) is `this.key` (ASCII). */
  private isKey(start: usize, end: usize, escaped: bool): bool {
    const key = this.key;
    if (!escaped) {
      if (end - start != <usize>key.length) return false;
      for (let i = 0; i < key.length; i++) if (<u32>load<u8>(this.ptr + start + <usize>i) != <u32>key.charCodeAt(i)) return false;
      return true;
    }
    const units = decode(this.ptr, <u32>start, <u32>end, true);
    if (units != key.length) return false;
    return memory.compare(changetype<usize>(decodedA), changetype<usize>(key), <usize>units << 1) == 0;
  }
}

function grown(buffer: ArrayBuffer, size: i32): ArrayBuffer {
  const next = new ArrayBuffer(size);
  memory.copy(changetype<usize>(next), changetype<usize>(buffer), <usize>buffer.byteLength);
  return next;
}

function hexValue(c: u32): i32 {
  if (c - 0x30 <= 9) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower - 0x61 <= 5) return <i32>(lower - 0x57);
  return -1;
}

function hasEscape(ptr: usize, start: u32, end: u32): bool {
  for (let i = start; i < end; i++) if (load<u8>(ptr + i) == 0x5c) return true;
  return false;
}

/**
 * Decodes the key at [start, end) (checked by the scan) to UTF-16 units in decodedA (`first`) or decodedB;
 * returns how many. Never more units than bytes.
 */
function decode(ptr: usize, start: u32, end: u32, first: bool): i32 {
  const need = <i32>(end - start) << 1;
  if (first && decodedA.byteLength < need) decodedA = new ArrayBuffer(need);
  if (!first && decodedB.byteLength < need) decodedB = new ArrayBuffer(need);
  const out = changetype<usize>(first ? decodedA : decodedB);
  let n: usize = 0;
  let i = <usize>start;
  while (i < <usize>end) {
    let c = <u32>load<u8>(ptr + i);
    if (c == 0x5c) {
      const e = <u32>load<u8>(ptr + i + 1);
      i += 2;
      if (e == 0x75) {
        c = 0;
        for (let k: usize = 0; k < 4; k++) c = (c << 4) | <u32>hexValue(<u32>load<u8>(ptr + i + k));
        i += 4;
      } else c = e == 0x62 ? 0x08 : e == 0x66 ? 0x0c : e == 0x6e ? 0x0a : e == 0x72 ? 0x0d : e == 0x74 ? 0x09 : e;
    } else if (c < 0x80) {
      i++;
    } else {
      // Well-formed UTF-8 (checked before the scan): 2, 3 or 4 bytes.
      const extra: usize = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
      c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : 0x1f;
      for (let k: usize = 1; k <= extra; k++) c = (c << 6) | (<u32>load<u8>(ptr + i + k) & 0x3f);
      i += extra + 1;
      if (c >= 0x10000) {
        c -= 0x10000;
        store<u16>(out + (n << 1), <u16>(0xd800 | (c >> 10)));
        n++;
        c = 0xdc00 | (c & 0x3ff);
      }
    }
    store<u16>(out + (n << 1), <u16>c);
    n++;
  }
  return <i32>n;
}
