/*
 * kc_printf: the kernel's printf directives, through printf (variadic registers and stack),
 * a module-defined variadic wrapper around vsnprintf (a SysV va_list), and snprintf truncation.
 */
#include <netbsd_abi.h>

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)

extern int printf(const char *, ...);
extern int snprintf(char *, size_t, const char *, ...);
extern int vsnprintf(char *, size_t, const char *, va_list);

MODULE(MODULE_CLASS_MISC, kc_printf, NULL);

char kc_printf_buf[256];
int kc_printf_trunc;

static int
kc_fmt(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(kc_printf_buf, sizeof(kc_printf_buf), fmt, ap);
	va_end(ap);
	return n;
}

static int
kc_printf_modcmd(modcmd_t cmd, void *arg)
{
	char small[8];

	if (cmd != MODULE_CMD_INIT)
		return cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
	printf("kc_printf: [%d] [%5d] [%-5d] [%05d] [%+d] [%u] [%x] [%#X] [%o] [%#o]\n",
	    -42, 42, 42, 42, 42, 3000000000U, 0xbeef, 0xbeef, 8, 8);
	printf("kc_printf: [%lld] [%llx] [%qd] [%zu] [%jd] [%td] [%ld] [%hd] [%hhd]\n",
	    -1234567890123LL, 0x123456789abcdefULL, (long long)-5, (size_t)77, (long long)-9,
	    (long)11, -100000L, (short)-2, (char)65);
	printf("kc_printf: [%s] [%.3s] [%8s] [%-8s] [%c] [%%] [%p] [%s]\n",
	    "hello", "abcdef", "right", "left", 'Z', (void *)0xffffffff80001000UL, (char *)0);
	printf("kc_printf: [%*d] [%-*d] [%.*s] [%b]\n", 6, 1, 6, 2, 2, "xyz", 5, "\10\1ONE\2TWO\3THREE");
	kc_fmt("%s %d %d %d %d %d %d %d %d %d %lx|", "va", 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xfeedUL);
	kc_printf_trunc = snprintf(small, sizeof(small), "%s", "truncate me");
	printf("kc_printf: vsnprintf [%s] snprintf [%s] %d\n", kc_printf_buf, small, kc_printf_trunc);
	return 0;
}
