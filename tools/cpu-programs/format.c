/* A printf-like formatter with variadic arguments: %d %i %u %x %X %o %c %s %p %%, the l/ll/h/hh
   and z length modifiers, flags - 0 + space #, field width and precision (also as *). */
#include "lib/prog.h"

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

static char *buf;
static size_t pos, cap_;

static void put(char c) {
  if (pos < cap_) buf[pos] = c;
  pos++;
}

static void emit_number(u64 v, int neg, int base, int upper, int width, int prec, int left, int zero,
                        char sign, int alt) {
  char tmp[72];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  if (v == 0 && prec == 0) n = 0;
  else do {
      tmp[n++] = digits[v % (u64)base];
      v /= (u64)base;
    } while (v);
  int zeros = prec > n ? prec - n : 0;
  if (alt && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0')) zeros = 1;
  const char *prefix = alt && base == 16 && n ? (upper ? "0X" : "0x") : "";
  char s = neg ? '-' : sign;
  int len = n + zeros + (s ? 1 : 0) + (int)strlen(prefix);
  int pad = width > len ? width - len : 0;
  if (zero && !left && prec < 0) {
    zeros += pad;
    pad = 0;
  }
  if (!left) while (pad--) put(' ');
  if (s) put(s);
  for (const char *q = prefix; *q; q++) put(*q);
  while (zeros--) put('0');
  while (n) put(tmp[--n]);
  if (left) while (pad-- > 0) put(' ');
}

static size_t vformat(char *out, size_t cap, const char *fmt, va_list ap) {
  buf = out;
  cap_ = cap;
  pos = 0;
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(*fmt);
      continue;
    }
    fmt++;
    int left = 0, zero = 0, alt = 0;
    char sign = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else if (*fmt == '+') sign = '+';
      else if (*fmt == ' ') { if (!sign) sign = ' '; }
      else if (*fmt == '#') alt = 1;
      else break;
    }
    int width = 0, prec = -1;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) { left = 1; width = -width; }
      fmt++;
    } else while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    if (*fmt == '.') {
      fmt++;
      prec = 0;
      if (*fmt == '*') { prec = va_arg(ap, int); fmt++; }
      else while (*fmt >= '0' && *fmt <= '9') prec = prec * 10 + (*fmt++ - '0');
    }
    int size = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long */
    for (;; fmt++) {
      if (*fmt == 'l') size++;
      else if (*fmt == 'h') size--;
      else if (*fmt == 'z') size = 1;
      else break;
    }
    switch (*fmt) {
    case 'd':
    case 'i': {
      i64 v = size > 0 ? va_arg(ap, long) : va_arg(ap, int);
      if (size == -1) v = (short)v;
      if (size == -2) v = (signed char)v;
      emit_number(v < 0 ? -(u64)v : (u64)v, v < 0, 10, 0, width, prec, left, zero, sign, 0);
      break;
    }
    case 'u': case 'x': case 'X': case 'o': {
      u64 v = size > 0 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
      if (size == -1) v = (u16)v;
      if (size == -2) v = (u8)v;
      int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
      emit_number(v, 0, base, *fmt == 'X', width, prec, left, zero, 0, alt);
      break;
    }
    case 'p':
      emit_number((u64)va_arg(ap, void *), 0, 16, 0, width, prec, left, zero, 0, 1);
      break;
    case 'c': {
      int pad = width > 1 ? width - 1 : 0;
      if (!left) while (pad--) put(' ');
      put((char)va_arg(ap, int));
      if (left) while (pad-- > 0) put(' ');
      break;
    }
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int n = (int)strlen(s);
      if (prec >= 0 && prec < n) n = prec;
      int pad = width > n ? width - n : 0;
      if (!left) while (pad--) put(' ');
      for (int i = 0; i < n; i++) put(s[i]);
      if (left) while (pad-- > 0) put(' ');
      break;
    }
    case '%': put('%'); break;
    default: put('?'); put(*fmt); break;
    }
  }
  if (pos < cap_) buf[pos] = 0;
  else if (cap_) buf[cap_ - 1] = 0;
  return pos;
}

static size_t snprintf_(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(out, cap, fmt, ap);
  va_end(ap);
  return n;
}

static char line[256];

static void emit(size_t n) {
  out_str(line);
  out_str(" [");
  out_udec(n);
  out_str("]\n");
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  u64 total = 0;
  for (unsigned long it = 0; it < iters; it++) {
    int show = it == 0;
    size_t n;
#define LINE(...) do { n = snprintf_(line, sizeof line, __VA_ARGS__); total += n; if (show) emit(n); } while (0)
    LINE("plain text, %% sign, char %c, string '%s'", 'x', "hello");
    LINE("int %d %i %d %d", 0, -1, 2147483647, (int)-2147483648LL - 0);
    LINE("long %ld %ld %lu", -9223372036854775807L - 1, 9223372036854775807L, 18446744073709551615UL);
    LINE("hex %x %X %#x %#lx %08x %-8x|", 0xdeadbeefu, 0xcafeu, 255u, 0x123456789abcdefUL, 0x1fu, 0xabu);
    LINE("oct %o %#o %#o", 8u, 8u, 0u);
    LINE("width [%5d] [%-5d] [%05d] [%+d] [% d] [%+5d]", 42, 42, -42, 7, 7, -7);
    LINE("prec [%.3d] [%.0d] [%8.3d] [%-8.4x] [%.2s] [%10.3s]", 5, 0, -5, 0xau, "abcdef", "xyz123");
    LINE("star [%*d] [%-*d] [%.*s]", 6, 12, 6, 12, 3, "truncate");
    LINE("short %hd %hu %hhd %hhu %hx", (int)-32769, 70000, 300, -1, 0x12345);
    LINE("ptr %p size %zu char [%3c] [%-3c]", (void *)0xffffffff80201234UL, (size_t)4096, 'a', 'b');
    LINE("many %d %d %d %d %d %d %d %d %ld %s", 1, 2, 3, 4, 5, 6, 7, 8, 9L + (long)it * 0, "end");
    for (int i = -3; i <= 3; i++) LINE("loop %3d %+04d %x", i * 1000003 + (int)it, i, (unsigned)i);
  }
  out_str("total ");
  out_udec(total);
  out_nl();
  return out_len();
}
