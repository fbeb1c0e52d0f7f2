/* Big-number arithmetic on 32-bit limbs: factorials, powers of two, Fibonacci, and a
   long division check (n! / (n-1)! == n), printed in decimal. */
#include "lib/prog.h"

#define LIMBS 400
typedef struct {
  u32 d[LIMBS]; /* little-endian limbs */
  int n;        /* limbs in use */
} big;

static void big_set(big *a, u32 v) {
  a->d[0] = v;
  a->n = 1;
}

static void big_mul_small(big *a, u32 m) {
  u64 carry = 0;
  for (int i = 0; i < a->n; i++) {
    u64 t = (u64)a->d[i] * m + carry;
    a->d[i] = (u32)t;
    carry = t >> 32;
  }
  if (carry) a->d[a->n++] = (u32)carry;
}

static void big_add(big *r, const big *a, const big *b) {
  int n = a->n > b->n ? a->n : b->n;
  u64 carry = 0;
  for (int i = 0; i < n; i++) {
    u64 t = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
    r->d[i] = (u32)t;
    carry = t >> 32;
  }
  r->n = n;
  if (carry) r->d[r->n++] = (u32)carry;
}

static u32 big_div_small(big *a, u32 m) {
  u64 rem = 0;
  for (int i = a->n - 1; i >= 0; i--) {
    u64 cur = (rem << 32) | a->d[i];
    a->d[i] = (u32)(cur / m);
    rem = cur % m;
  }
  while (a->n > 1 && a->d[a->n - 1] == 0) a->n--;
  return (u32)rem;
}

static void big_mul(big *r, const big *a, const big *b) {
  static u32 t[LIMBS * 2];
  memset(t, 0, sizeof(u32) * (unsigned long)(a->n + b->n));
  for (int i = 0; i < a->n; i++) {
    u64 carry = 0;
    for (int j = 0; j < b->n; j++) {
      u64 cur = (u64)a->d[i] * b->d[j] + t[i + j] + carry;
      t[i + j] = (u32)cur;
      carry = cur >> 32;
    }
    t[i + b->n] = (u32)carry;
  }
  r->n = a->n + b->n;
  memcpy(r->d, t, sizeof(u32) * (unsigned long)r->n);
  while (r->n > 1 && r->d[r->n - 1] == 0) r->n--;
}

static void big_print(const big *a) {
  static big t;
  static char digits[LIMBS * 10];
  t = *a;
  int n = 0;
  do {
    u32 r = big_div_small(&t, 1000000000u);
    for (int k = 0; k < 9; k++) {
      digits[n++] = (char)('0' + r % 10);
      r /= 10;
    }
  } while (t.n > 1 || t.d[0]);
  while (n > 1 && digits[n - 1] == '0') n--;
  while (n) out_char(digits[--n]);
}

static big f, g, h, p;

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  for (unsigned long it = 0; it < iters; it++) {
    int last = it == iters - 1;
    big_set(&f, 1);
    for (u32 i = 2; i <= 300; i++) big_mul_small(&f, i);
    if (it == 0) {
      out_str("300! = ");
      big_print(&f);
      out_nl();
    }
    u32 r = big_div_small(&f, 300);
    big_set(&g, 1);
    for (u32 i = 2; i <= 299; i++) big_mul_small(&g, i);
    int same = r == 0 && f.n == g.n && memcmp(f.d, g.d, sizeof(u32) * (unsigned long)f.n) == 0;
    big_set(&p, 2);
    for (int i = 0; i < 10; i++) big_mul(&p, &p, &p); /* 2^1024 */
    big_set(&g, 0);
    big_set(&h, 1);
    for (int i = 0; i < 1000; i++) {
      big_add(&f, &g, &h);
      g = h;
      h = f;
    }
    if (it == 0 || last) {
      out_str("iter ");
      out_udec(it);
      out_str(same ? " 300!/300 == 299! ok" : " division MISMATCH");
      out_nl();
      out_str("2^1024 = ");
      big_print(&p);
      out_nl();
      out_str("fib(1000) = ");
      big_print(&g);
      out_nl();
    }
  }
  return out_len();
}
