/**
 * MurmurHash3 x86_32 over a string's UTF-16 code units (two units per 32-bit block), so no UTF-8
 * encoding per value. Every shard and every replay hashes the same way, which is all HLL needs; the
 * result differs from murmur3 over UTF-8 bytes for non-ASCII text (and is not meant to match it).
 */
export function murmur3(text: string, seed: number): number {
  let h = seed >>> 0;
  const length = text.length;
  const blocks = length & ~1;
  for (let i = 0; i < blocks; i += 2) {
    let k = (text.charCodeAt(i) & 0xffff) | ((text.charCodeAt(i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (length & 1) {
    let k = text.charCodeAt(length - 1) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length * 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
