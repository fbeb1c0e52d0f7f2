/* Bit tricks: SWAR popcount, count leading/trailing zeros, bit reversal, byte swaps, rotations,
   Gray codes, next bit permutation, integer square root, power-of-two rounding, parity, Morton codes. */
#include "lib/prog.h"

static int popcount(u64 x) {
  x = x - ((x >> 1) & 0x5555555555555555UL);
  x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
  return (int)((x * 0x0101010101010101UL) >> 56);
}

static u64 reverse(u64 x) {
  x = ((x >> 1) & 0x5555555555555555UL) | ((x & 0x5555555555555555UL) << 1);
  x = ((x >> 2) & 0x3333333333333333UL) | ((x & 0x3333333333333333UL) << 2);
  x = ((x >> 4) & 0x0f0f0f0f0f0f0f0fUL) | ((x & 0x0f0f0f0f0f0f0f0fUL) << 4);
  return __builtin_bswap64(x);
}

static u64 rotl(u64 x, int r) { return (x << (r & 63)) | (x >> ((64 - r) & 63)); }
static u32 rotr32(u32 x, int r) { return (x >> (r & 31)) | (x << ((32 - r) & 31)); }

static u64 next_perm(u64 v) {
  u64 t = v | (v - 1);
  return (t + 1) | (((~t & -~t) - 1) >> (__builtin_ctzll(v) + 1));
}

static u32 isqrt(u64 n) {
  u64 x = n, y = (x >> 1) + 1;
  if (n < 2) return (u32)n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2;
  }
  return (u32)x;
}

static u64 round_pow2(u64 v) {
  if (v <= 1) return 1;
  if (v > 1UL << 63) return 0;
  return 1UL << (64 - __builtin_clzll(v - 1));
}

static u32 morton(u16 x, u16 y) {
  u32 r = 0;
  for (int i = 0; i < 16; i++) r |= (u32)((x >> i) & 1) << (2 * i) | (u32)((y >> i) & 1) << (2 * i + 1);
  return r;
}

static int parity(u64 x) {
  x ^= x >> 32;
  x ^= x >> 16;
  x ^= x >> 8;
  x ^= x >> 4;
  return (0x6996 >> (x & 15)) & 1;
}

static i64 sign_extend(u64 v, int bits) {
  u64 m = 1UL << (bits - 1);
  v &= (1UL << bits) - 1;
  return (i64)((v ^ m) - m);
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  u64 x = 0x0123456789abcdefUL;
  u64 h = 0;
  for (unsigned long it = 0; it < iters; it++) {
    for (int i = 0; i < 4000; i++) {
      x ^= x << 7;
      x ^= x >> 9;
      u64 v = x | 1;
      h += (u64)popcount(x) + (u64)__builtin_clzll(v) * 3 + (u64)__builtin_ctzll(v) * 5;
      h ^= reverse(x) + rotl(x, i) + rotr32((u32)x, i);
      h += __builtin_bswap32((u32)(x >> 7)) + (u64)parity(x) + (u64)isqrt(x >> 20);
      h += round_pow2(x >> (i & 63)) + morton((u16)x, (u16)(x >> 16)) + (u64)sign_extend(x, (i % 63) + 1);
      h = rotl(h, 5) ^ (x >> (i & 31));
    }
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str(" h ");
      out_hex(h, 16);
      out_nl();
    }
  }
  out_str("popcount(-1) ");
  out_udec((u64)popcount(~0UL));
  out_str(" reverse(1) ");
  out_hex(reverse(1), 16);
  out_str(" gray(1..8)");
  for (u32 i = 1; i <= 8; i++) {
    out_char(' ');
    out_udec(i ^ (i >> 1));
  }
  out_str(" perms(0b111)");
  u64 p = 7;
  for (int i = 0; i < 6; i++) {
    out_char(' ');
    out_hex(p, 2);
    p = next_perm(p);
  }
  out_str(" isqrt ");
  out_udec(isqrt(0xffffffffffffffffUL));
  out_str(" pow2 ");
  out_hex(round_pow2(0x4000000000000001UL), 16);
  out_str(" sext ");
  out_sdec(sign_extend(0x80, 8));
  out_nl();
  return out_len();
}
