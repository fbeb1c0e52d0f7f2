/* Recursion: Ackermann, naive Fibonacci, Towers of Hanoi, mutual recursion, N-queens,
   and a recursive permutation generator with a deep call chain through function pointers. */
#include "lib/prog.h"

static u64 ack(u64 m, u64 n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static u64 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u64 hanoi(int n, int from, int to, int via, u64 *sig) {
  if (n == 0) return 0;
  u64 moves = hanoi(n - 1, from, via, to, sig);
  *sig = *sig * 3 + (u64)(from * 3 + to);
  return moves + 1 + hanoi(n - 1, via, to, from, sig);
}

static int is_odd(u32 n);
static int is_even(u32 n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(u32 n) { return n == 0 ? 0 : is_even(n - 1); }

static int queens(int n, int row, u32 cols, u32 d1, u32 d2) {
  if (row == n) return 1;
  int count = 0;
  u32 avail = ~(cols | d1 | d2) & ((1u << n) - 1);
  while (avail) {
    u32 bit = avail & -avail;
    avail ^= bit;
    count += queens(n, row + 1, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
  }
  return count;
}

typedef u64 (*step_fn)(u64, int);
static u64 step_a(u64 v, int depth);
static u64 step_b(u64 v, int depth);
static volatile step_fn table[2] = {step_a, step_b};
static u64 step_a(u64 v, int depth) { return depth ? table[v & 1](v * 3 + 1, depth - 1) + 1 : v; }
static u64 step_b(u64 v, int depth) { return depth ? table[(v >> 1) & 1](v >> 1, depth - 1) ^ v : v; }

static char perm[8];
static u64 perm_count, perm_hash;
static void permute(int k, int n) {
  if (k == n) {
    perm_count++;
    for (int i = 0; i < n; i++) perm_hash = perm_hash * 11 + (u64)perm[i];
    return;
  }
  for (int i = k; i < n; i++) {
    char t = perm[k]; perm[k] = perm[i]; perm[i] = t;
    permute(k + 1, n);
    t = perm[k]; perm[k] = perm[i]; perm[i] = t;
  }
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  for (unsigned long it = 0; it < iters; it++) {
    u64 a = ack(2, 3 + it % 4) + ack(3, 5);
    u64 f = fib(24);
    u64 sig = 0;
    u64 moves = hanoi(14, 0, 2, 1, &sig);
    int parity = is_even(5001) * 2 + is_odd(7777);
    int q = queens(8, 0, 0, 0, 0);
    u64 chain = step_a(27 + it, 400);
    for (int i = 0; i < 7; i++) perm[i] = (char)('a' + i);
    perm_count = perm_hash = 0;
    permute(0, 7);
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str(" ack ");
      out_udec(a);
      out_str(" fib24 ");
      out_udec(f);
      out_str(" hanoi ");
      out_udec(moves);
      out_char('/');
      out_hex(sig, 16);
      out_str(" parity ");
      out_udec((u64)parity);
      out_str(" queens8 ");
      out_udec((u64)q);
      out_str(" chain ");
      out_hex(chain, 16);
      out_str(" perms ");
      out_udec(perm_count);
      out_char('/');
      out_hex(perm_hash, 16);
      out_nl();
    }
  }
  return out_len();
}
