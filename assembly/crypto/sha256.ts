// SHA-256 (FIPS 180-4), scalar and allocation-free on the hot path: blocks are read straight from
// memory with load + bswap, the 16-word schedule lives in locals (rolled in place), state stays in
// locals across consecutive blocks, the 64 rounds are unrolled (about 20% faster than a 16-round
// loop under V8) and the round constants come from a static table.
import { hexFromPtr } from "../kernel/hex";
import { codePointAt } from "../kernel/utf8";

// @ts-ignore: decorator
@lazy const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
], 16);

// Streaming context layout (CTX_SIZE bytes, anywhere in linear memory): 8 state words, the pending
// partial block, how many bytes of it are filled, and the total message length in bytes.
export const CTX_STATE: usize = 0;
export const CTX_BLOCK: usize = 32;
const CTX_FILL: usize = 96;
const CTX_TOTAL: usize = 104;
export const CTX_SIZE: i32 = 112;

// @ts-ignore: decorator
@inline function S0(x: u32): u32 { return rotr<u32>(x, 2) ^ rotr<u32>(x, 13) ^ rotr<u32>(x, 22); }
// @ts-ignore: decorator
@inline function S1(x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25); }
// @ts-ignore: decorator
@inline function s0(x: u32): u32 { return rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3); }
// @ts-ignore: decorator
@inline function s1(x: u32): u32 { return rotr<u32>(x, 17) ^ rotr<u32>(x, 19) ^ (x >>> 10); }
// Fewer operations than the textbook forms (e&f)^(~e&g) and (a&b)^(a&c)^(b&c).
// @ts-ignore: decorator
@inline function ch(e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)); }
// @ts-ignore: decorator
@inline function maj(a: u32, b: u32, c: u32): u32 { return (a & b) | (c & (a | b)); }

/** Runs the compression function over `blocks` 64-byte blocks at `src`, updating the 8 words at `state`. */
export function compress(state: usize, src: usize, blocks: usize): void {
  let h0 = load<u32>(state, 0), h1 = load<u32>(state, 4), h2 = load<u32>(state, 8), h3 = load<u32>(state, 12);
  let h4 = load<u32>(state, 16), h5 = load<u32>(state, 20), h6 = load<u32>(state, 24), h7 = load<u32>(state, 28);
  const end = src + (blocks << 6);
  while (src < end) {
    let w0 = bswap<u32>(load<u32>(src, 0)), w1 = bswap<u32>(load<u32>(src, 4));
    let w2 = bswap<u32>(load<u32>(src, 8)), w3 = bswap<u32>(load<u32>(src, 12));
    let w4 = bswap<u32>(load<u32>(src, 16)), w5 = bswap<u32>(load<u32>(src, 20));
    let w6 = bswap<u32>(load<u32>(src, 24)), w7 = bswap<u32>(load<u32>(src, 28));
    let w8 = bswap<u32>(load<u32>(src, 32)), w9 = bswap<u32>(load<u32>(src, 36));
    let w10 = bswap<u32>(load<u32>(src, 40)), w11 = bswap<u32>(load<u32>(src, 44));
    let w12 = bswap<u32>(load<u32>(src, 48)), w13 = bswap<u32>(load<u32>(src, 52));
    let w14 = bswap<u32>(load<u32>(src, 56)), w15 = bswap<u32>(load<u32>(src, 60));
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    let t: u32;
    // Fully unrolled: the state names rotate every 8 rounds instead of shuffling values, and each
    // group of 16 schedule words is rolled in place (w[i] becomes W[i+16]; earlier ones already are).
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 0) + w0; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 4) + w1; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 8) + w2; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 12) + w3; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 16) + w4; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 20) + w5; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 24) + w6; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 28) + w7; e += t; a = t + S0(b) + maj(b, c, d);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 32) + w8; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 36) + w9; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 40) + w10; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 44) + w11; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 48) + w12; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 52) + w13; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 56) + w14; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 60) + w15; e += t; a = t + S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1); w1 += s1(w15) + w10 + s0(w2); w2 += s1(w0) + w11 + s0(w3); w3 += s1(w1) + w12 + s0(w4);
    w4 += s1(w2) + w13 + s0(w5); w5 += s1(w3) + w14 + s0(w6); w6 += s1(w4) + w15 + s0(w7); w7 += s1(w5) + w0 + s0(w8);
    w8 += s1(w6) + w1 + s0(w9); w9 += s1(w7) + w2 + s0(w10); w10 += s1(w8) + w3 + s0(w11); w11 += s1(w9) + w4 + s0(w12);
    w12 += s1(w10) + w5 + s0(w13); w13 += s1(w11) + w6 + s0(w14); w14 += s1(w12) + w7 + s0(w15); w15 += s1(w13) + w8 + s0(w0);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 64) + w0; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 68) + w1; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 72) + w2; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 76) + w3; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 80) + w4; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 84) + w5; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 88) + w6; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 92) + w7; e += t; a = t + S0(b) + maj(b, c, d);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 96) + w8; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 100) + w9; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 104) + w10; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 108) + w11; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 112) + w12; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 116) + w13; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 120) + w14; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 124) + w15; e += t; a = t + S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1); w1 += s1(w15) + w10 + s0(w2); w2 += s1(w0) + w11 + s0(w3); w3 += s1(w1) + w12 + s0(w4);
    w4 += s1(w2) + w13 + s0(w5); w5 += s1(w3) + w14 + s0(w6); w6 += s1(w4) + w15 + s0(w7); w7 += s1(w5) + w0 + s0(w8);
    w8 += s1(w6) + w1 + s0(w9); w9 += s1(w7) + w2 + s0(w10); w10 += s1(w8) + w3 + s0(w11); w11 += s1(w9) + w4 + s0(w12);
    w12 += s1(w10) + w5 + s0(w13); w13 += s1(w11) + w6 + s0(w14); w14 += s1(w12) + w7 + s0(w15); w15 += s1(w13) + w8 + s0(w0);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 128) + w0; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 132) + w1; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 136) + w2; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 140) + w3; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 144) + w4; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 148) + w5; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 152) + w6; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 156) + w7; e += t; a = t + S0(b) + maj(b, c, d);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 160) + w8; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 164) + w9; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 168) + w10; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 172) + w11; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 176) + w12; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 180) + w13; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 184) + w14; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 188) + w15; e += t; a = t + S0(b) + maj(b, c, d);
    w0 += s1(w14) + w9 + s0(w1); w1 += s1(w15) + w10 + s0(w2); w2 += s1(w0) + w11 + s0(w3); w3 += s1(w1) + w12 + s0(w4);
    w4 += s1(w2) + w13 + s0(w5); w5 += s1(w3) + w14 + s0(w6); w6 += s1(w4) + w15 + s0(w7); w7 += s1(w5) + w0 + s0(w8);
    w8 += s1(w6) + w1 + s0(w9); w9 += s1(w7) + w2 + s0(w10); w10 += s1(w8) + w3 + s0(w11); w11 += s1(w9) + w4 + s0(w12);
    w12 += s1(w10) + w5 + s0(w13); w13 += s1(w11) + w6 + s0(w14); w14 += s1(w12) + w7 + s0(w15); w15 += s1(w13) + w8 + s0(w0);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 192) + w0; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 196) + w1; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 200) + w2; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 204) + w3; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 208) + w4; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 212) + w5; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 216) + w6; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 220) + w7; e += t; a = t + S0(b) + maj(b, c, d);
    t = h + S1(e) + ch(e, f, g) + load<u32>(K, 224) + w8; d += t; h = t + S0(a) + maj(a, b, c);
    t = g + S1(d) + ch(d, e, f) + load<u32>(K, 228) + w9; c += t; g = t + S0(h) + maj(h, a, b);
    t = f + S1(c) + ch(c, d, e) + load<u32>(K, 232) + w10; b += t; f = t + S0(g) + maj(g, h, a);
    t = e + S1(b) + ch(b, c, d) + load<u32>(K, 236) + w11; a += t; e = t + S0(f) + maj(f, g, h);
    t = d + S1(a) + ch(a, b, c) + load<u32>(K, 240) + w12; h += t; d = t + S0(e) + maj(e, f, g);
    t = c + S1(h) + ch(h, a, b) + load<u32>(K, 244) + w13; g += t; c = t + S0(d) + maj(d, e, f);
    t = b + S1(g) + ch(g, h, a) + load<u32>(K, 248) + w14; f += t; b = t + S0(c) + maj(c, d, e);
    t = a + S1(f) + ch(f, g, h) + load<u32>(K, 252) + w15; e += t; a = t + S0(b) + maj(b, c, d);
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
    src += 64;
  }
  store<u32>(state, h0, 0); store<u32>(state, h1, 4); store<u32>(state, h2, 8); store<u32>(state, h3, 12);
  store<u32>(state, h4, 16); store<u32>(state, h5, 20); store<u32>(state, h6, 24); store<u32>(state, h7, 28);
}

/** Puts the context at `ctx` back to the initial hash value with nothing buffered. */
export function ctxInit(ctx: usize): void {
  store<u32>(ctx, 0x6a09e667, 0); store<u32>(ctx, 0xbb67ae85, 4);
  store<u32>(ctx, 0x3c6ef372, 8); store<u32>(ctx, 0xa54ff53a, 12);
  store<u32>(ctx, 0x510e527f, 16); store<u32>(ctx, 0x9b05688c, 20);
  store<u32>(ctx, 0x1f83d9ab, 24); store<u32>(ctx, 0x5be0cd19, 28);
  store<u32>(ctx, 0, CTX_FILL);
  store<u64>(ctx, 0, CTX_TOTAL);
}

/** Continues from a saved chaining state (8 words at `state`) after `bytes` bytes (a multiple of 64). */
export function ctxResume(ctx: usize, state: usize, bytes: u64): void {
  memory.copy(ctx + CTX_STATE, state, 32);
  store<u32>(ctx, 0, CTX_FILL);
  store<u64>(ctx, bytes, CTX_TOTAL);
}

/** Feeds `len` bytes at `src` into the context; whole blocks are compressed in place without copying. */
export function ctxUpdate(ctx: usize, src: usize, len: usize): void {
  if (len == 0) return;
  store<u64>(ctx, load<u64>(ctx, CTX_TOTAL) + <u64>len, CTX_TOTAL);
  let fill = <usize>load<u32>(ctx, CTX_FILL);
  const block = ctx + CTX_BLOCK;
  if (fill) {
    const take = min<usize>(64 - fill, len);
    memory.copy(block + fill, src, take);
    fill += take; src += take; len -= take;
    if (fill < 64) { store<u32>(ctx, <u32>fill, CTX_FILL); return; }
    compress(ctx, block, 1);
  }
  const blocks = len >> 6;
  if (blocks) compress(ctx, src, blocks);
  fill = len & 63;
  if (fill) memory.copy(block, src + (len - fill), fill);
  store<u32>(ctx, <u32>fill, CTX_FILL);
}

/** Feeds the UTF-8 encoding of `units` UTF-16 code units at `str` (lone surrogates become U+FFFD). */
export function ctxUpdateUtf16(ctx: usize, str: usize, units: usize): void {
  const block = ctx + CTX_BLOCK;
  let fill = <usize>load<u32>(ctx, CTX_FILL);
  let bytes: u64 = 0;
  const end = str + (units << 1);
  while (str < end) {
    // ASCII fast path: four code units packed into four bytes per step while the block has room.
    if (fill <= 60 && str + 8 <= end) {
      const q = load<u64>(str);
      if ((q & 0xFF80FF80FF80FF80) == 0) {
        const packed = (q & 0xFF) | ((q >> 8) & 0xFF00) | ((q >> 16) & 0xFF0000) | ((q >> 24) & 0xFF000000);
        store<u32>(block + fill, <u32>packed);
        str += 8; fill += 4; bytes += 4;
        if (fill == 64) { compress(ctx, block, 1); fill = 0; }
        continue;
      }
    }
    const packed = codePointAt(str, 0, <i32>((end - str) >> 1));
    const cp = packed & 0xffffff;
    str += <usize>(packed >> 24) << 1;
    let seq: u32, n: u32;
    if (cp < 0x80) {
      seq = cp; n = 1;
    } else if (cp < 0x800) {
      seq = (0xC0 | (cp >> 6)) | ((0x80 | (cp & 63)) << 8); n = 2;
    } else if (cp < 0x10000) {
      seq = (0xE0 | (cp >> 12)) | ((0x80 | ((cp >> 6) & 63)) << 8) | ((0x80 | (cp & 63)) << 16); n = 3;
    } else {
      seq = (0xF0 | (cp >> 18)) | ((0x80 | ((cp >> 12) & 63)) << 8)
        | ((0x80 | ((cp >> 6) & 63)) << 16) | ((0x80 | (cp & 63)) << 24);
      n = 4;
    }
    bytes += n;
    // Emit byte by byte so a sequence may straddle a block boundary.
    while (n) {
      store<u8>(block + fill, <u8>seq);
      seq >>= 8; n--;
      if (++fill == 64) { compress(ctx, block, 1); fill = 0; }
    }
  }
  store<u32>(ctx, <u32>fill, CTX_FILL);
  store<u64>(ctx, load<u64>(ctx, CTX_TOTAL) + bytes, CTX_TOTAL);
}

/** Pads, writes the 32-byte big-endian digest to `out` and re-initialises the context. */
export function ctxFinal(ctx: usize, out: usize): void {
  const block = ctx + CTX_BLOCK;
  let fill = <usize>load<u32>(ctx, CTX_FILL);
  const bits = load<u64>(ctx, CTX_TOTAL) << 3;
  store<u8>(block + fill, 0x80);
  fill++;
  if (fill > 56) {
    memory.fill(block + fill, 0, 64 - fill);
    compress(ctx, block, 1);
    fill = 0;
  }
  memory.fill(block + fill, 0, 56 - fill);
  store<u64>(block, bswap<u64>(bits), 56);
  compress(ctx, block, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(ctx + i)));
  ctxInit(ctx);
}

// Context and digest scratch for the one-shot helpers (single-threaded, never re-entered).
// @ts-ignore: decorator
@lazy const ONE_SHOT: usize = memory.data(CTX_SIZE, 16);
// @ts-ignore: decorator
@lazy const DIGEST: usize = memory.data(32, 16);

/** Streaming SHA-256: `update*` any number of times, then `digest()`, which also resets it. */
export class Sha256 {
  // One buffer per hasher holding the context; allocated once, reused across digests.
  private ctx: ArrayBuffer = new ArrayBuffer(CTX_SIZE);

  constructor() {
    ctxInit(changetype<usize>(this.ctx));
  }

  /** Discards any buffered input and starts a new message. */
  reset(): Sha256 {
    ctxInit(changetype<usize>(this.ctx));
    return this;
  }

  /** Appends the whole buffer. */
  update(data: ArrayBuffer): Sha256 {
    ctxUpdate(changetype<usize>(this.ctx), changetype<usize>(data), <usize>data.byteLength);
    return this;
  }

  /** Appends `length` bytes of `data` from `offset`; the range is clamped to the buffer. */
  updateRange(data: ArrayBuffer, offset: i32, length: i32): Sha256 {
    const size = data.byteLength;
    if (offset < 0) offset = 0;
    if (offset > size) offset = size;
    if (length < 0) length = 0;
    if (length > size - offset) length = size - offset;
    ctxUpdate(changetype<usize>(this.ctx), changetype<usize>(data) + <usize>offset, <usize>length);
    return this;
  }

  /** Appends the UTF-8 encoding of `text` (lone surrogates as U+FFFD), without allocating. */
  updateUtf8(text: string): Sha256 {
    ctxUpdateUtf16(changetype<usize>(this.ctx), changetype<usize>(text), <usize>text.length);
    return this;
  }

  /** Returns the 32-byte digest of everything appended and resets the hasher for reuse. */
  digest(): ArrayBuffer {
    const out = new ArrayBuffer(32);
    ctxFinal(changetype<usize>(this.ctx), changetype<usize>(out));
    return out;
  }
}

/** SHA-256 of the whole buffer (32 bytes). */
export function sha256(data: ArrayBuffer): ArrayBuffer {
  const out = new ArrayBuffer(32);
  ctxInit(ONE_SHOT);
  ctxUpdate(ONE_SHOT, changetype<usize>(data), <usize>data.byteLength);
  ctxFinal(ONE_SHOT, changetype<usize>(out));
  return out;
}

/** Lower-case hex SHA-256 of the whole buffer (64 characters). */
export function sha256Hex(data: ArrayBuffer): string {
  ctxInit(ONE_SHOT);
  ctxUpdate(ONE_SHOT, changetype<usize>(data), <usize>data.byteLength);
  ctxFinal(ONE_SHOT, DIGEST);
  return hexFromPtr(DIGEST, 32);
}

/** Lower-case hex SHA-256 of the UTF-8 encoding of `text` (lone surrogates as U+FFFD). */
export function sha256Utf8Hex(text: string): string {
  ctxInit(ONE_SHOT);
  ctxUpdateUtf16(ONE_SHOT, changetype<usize>(text), <usize>text.length);
  ctxFinal(ONE_SHOT, DIGEST);
  return hexFromPtr(DIGEST, 32);
}
