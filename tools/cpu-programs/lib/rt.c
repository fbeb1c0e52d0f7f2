/* The freestanding runtime every program links with: the mem* functions gcc may call,
   and a bounded output buffer. Compiled with -fno-tree-loop-distribute-patterns so the
   loops below are not turned back into calls to themselves. */
#include "prog.h"

void *memcpy(void *dst, const void *src, size_t n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  u8 *d = dst;
  const u8 *s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const u8 *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

static char *out_buf;
static unsigned long out_cap, out_pos;

void out_init(char *buf, unsigned long cap) {
  out_buf = buf;
  out_cap = cap;
  out_pos = 0;
}

unsigned long out_len(void) { return out_pos; }

void out_char(int c) {
  if (out_pos < out_cap) out_buf[out_pos] = (char)c;
  out_pos++;
}

void out_str(const char *s) {
  while (*s) out_char(*s++);
}

void out_udec(u64 v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) out_char(tmp[--n]);
}

void out_sdec(i64 v) {
  if (v < 0) {
    out_char('-');
    out_udec(-(u64)v);
  } else {
    out_udec((u64)v);
  }
}

void out_hex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) out_char("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

void out_nl(void) { out_char('\n'); }
