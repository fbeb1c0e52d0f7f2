/* 128-bit arithmetic: 64x64→128 multiplies, 128-bit add/sub/shift/compare, a shift-subtract
   128/128 division (no libgcc), decimal printing, modular exponentiation and a Miller-Rabin test. */
#include "lib/prog.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

static u128 udivmod(u128 n, u128 d, u128 *rem) {
  u128 q = 0, r = 0;
  if (d == 0) return 0;
  for (int i = 127; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= (u128)1 << i;
    }
  }
  if (rem) *rem = r;
  return q;
}

static void print_u128(u128 v) {
  char tmp[48];
  int n = 0;
  do {
    u128 r;
    v = udivmod(v, 10, &r);
    tmp[n++] = (char)('0' + (int)r);
  } while (v);
  while (n) out_char(tmp[--n]);
}

static void print_i128(i128 v) {
  if (v < 0) {
    out_char('-');
    print_u128(-(u128)v);
  } else {
    print_u128((u128)v);
  }
}

static void print_hex128(u128 v) {
  out_hex((u64)(v >> 64), 16);
  out_hex((u64)v, 16);
}

static u64 mulmod(u64 a, u64 b, u64 m) {
  u128 r;
  udivmod((u128)a * b, m, &r);
  return (u64)r;
}

/* 128/64 → 64 division of a product that fits: uses the hardware divq path via a u64 quotient. */
static u64 powmod(u64 b, u64 e, u64 m) {
  u64 r = 1 % m;
  b %= m;
  while (e) {
    if (e & 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e >>= 1;
  }
  return r;
}

static int miller_rabin(u64 n) {
  if (n < 2) return 0;
  static const u64 bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (int i = 0; i < 12; i++)
    if (n % bases[i] == 0) return n == bases[i];
  u64 d = n - 1;
  int s = 0;
  while (!(d & 1)) {
    d >>= 1;
    s++;
  }
  for (int i = 0; i < 12; i++) {
    u64 x = powmod(bases[i], d, n);
    if (x == 1 || x == n - 1) continue;
    int comp = 1;
    for (int r = 1; r < s; r++) {
      x = mulmod(x, x, n);
      if (x == n - 1) {
        comp = 0;
        break;
      }
    }
    if (comp) return 0;
  }
  return 1;
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  u128 acc = 0;
  for (unsigned long it = 0; it < iters; it++) {
    u128 f = 1;
    for (u64 i = 2; i <= 34; i++) f *= i; /* 34! < 2^128 */
    i128 s = -(i128)f / 1 + (i128)it;
    u128 sq = (u128)0xffffffffffffffffUL * 0xffffffffffffffffUL;
    u128 q, r;
    q = udivmod(f, 0x123456789abcdefUL, &r);
    u64 primes = 0, last = 0;
    for (u64 n = 0xffffffffffffffb0UL - it * 2; n < 0xffffffffffffffffUL - it * 2 && n; n++) {
      if (miller_rabin(n)) {
        primes++;
        last = n;
      }
    }
    i128 neg = (i128)-5 * (i128)0x7fffffffffffffffL;
    u128 shl = (u128)1 << 100 | (u128)0xabc;
    acc += f ^ sq ^ (u128)neg ^ (shl >> 3);
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str("\n34! = ");
      print_u128(f);
      out_str("\n-34!+it = ");
      print_i128(s);
      out_str("\n(2^64-1)^2 = ");
      print_hex128(sq);
      out_str("\n34! / 0x123456789abcdef = ");
      print_u128(q);
      out_str(" rem ");
      print_u128(r);
      out_str("\nprimes near 2^64: ");
      out_udec(primes);
      out_str(" last ");
      out_udec(last);
      out_str("\nneg ");
      print_i128(neg);
      out_str(" shl ");
      print_hex128(shl >> 3);
      out_str(" acc ");
      print_hex128(acc);
      out_nl();
    }
  }
  return out_len();
}
