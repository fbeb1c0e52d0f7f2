/* Sorting: quicksort, heapsort, insertion sort and a merge sort on pseudo-random arrays. */
#include "lib/prog.h"

#define N 3000
static i64 a[N], b[N], c[N], tmp[N];
static u64 seed;

static u64 lcg(void) {
  seed = seed * 6364136223846793005UL + 1442695040888963407UL;
  return seed >> 17;
}

static void quicksort(i64 *v, long lo, long hi) {
  while (lo < hi) {
    i64 p = v[lo + (hi - lo) / 2];
    long i = lo, j = hi;
    while (i <= j) {
      while (v[i] < p) i++;
      while (v[j] > p) j--;
      if (i <= j) {
        i64 t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
}

static void sift(i64 *v, long start, long end) {
  long root = start;
  while (2 * root + 1 <= end) {
    long child = 2 * root + 1;
    if (child + 1 <= end && v[child] < v[child + 1]) child++;
    if (v[root] >= v[child]) return;
    i64 t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}

static void heapsort(i64 *v, long n) {
  for (long s = (n - 2) / 2; s >= 0; s--) sift(v, s, n - 1);
  for (long e = n - 1; e > 0; e--) {
    i64 t = v[e];
    v[e] = v[0];
    v[0] = t;
    sift(v, 0, e - 1);
  }
}

static void mergesort(i64 *v, long n) {
  for (long w = 1; w < n; w *= 2) {
    for (long lo = 0; lo < n; lo += 2 * w) {
      long mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, sizeof(i64) * (unsigned long)n);
  }
}

static void insertion(u16 *v, long n) {
  for (long i = 1; i < n; i++) {
    u16 x = v[i];
    long j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  for (unsigned long it = 0; it < iters; it++) {
    seed = 12345 + it;
    for (long i = 0; i < N; i++) a[i] = (i64)lcg() - (1L << 45);
    memcpy(b, a, sizeof a);
    memcpy(c, a, sizeof a);
    quicksort(a, 0, N - 1);
    heapsort(b, N);
    mergesort(c, N);
    u64 h = 0;
    int ok = 1;
    for (long i = 0; i < N; i++) {
      h = h * 31 + (u64)a[i];
      if (a[i] != b[i] || a[i] != c[i] || (i && a[i - 1] > a[i])) ok = 0;
    }
    u16 small[300];
    for (int i = 0; i < 300; i++) small[i] = (u16)lcg();
    insertion(small, 300);
    u64 hs = 0;
    for (int i = 0; i < 300; i++) hs = hs * 131 + small[i];
    if (it == 0 || it == iters - 1) {
      out_str("sort iter ");
      out_udec(it);
      out_str(ok ? " ok" : " MISMATCH");
      out_str(" min=");
      out_sdec(a[0]);
      out_str(" median=");
      out_sdec(a[N / 2]);
      out_str(" max=");
      out_sdec(a[N - 1]);
      out_str(" hash=");
      out_hex(h, 16);
      out_str(" small=");
      out_hex(hs, 16);
      out_nl();
    }
  }
  return out_len();
}
