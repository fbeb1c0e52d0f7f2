/* kc_panic: calls panic(9) from MODULE_CMD_INIT with a formatted message. */
#include <netbsd_abi.h>

extern void panic(const char *, ...) __attribute__((__noreturn__));

MODULE(MODULE_CLASS_MISC, kc_panic, NULL);

__attribute__((noinline)) void
kc_panic_now(int why)
{
	panic("kc_panic: deliberate panic %d (%s)", why, "as requested");
}

static int
kc_panic_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		kc_panic_now(42);
	default:
		return ENOTTY;
	}
}
