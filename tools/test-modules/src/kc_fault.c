/* kc_fault: dereferences a bad pointer during MODULE_CMD_INIT, two calls deep. */
#include <netbsd_abi.h>

extern int printf(const char *, ...);

MODULE(MODULE_CLASS_MISC, kc_fault, NULL);

struct victim {
	int pad[4];
	int field;
};

__attribute__((noinline)) int
kc_fault_deref(struct victim *v)
{
	return v->field + 1;
}

__attribute__((noinline)) int
kc_fault_walk(struct victim *v)
{
	return kc_fault_deref(v) * 2;
}

struct victim *volatile kc_fault_ptr = (struct victim *)0x1000;

static int
kc_fault_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		printf("kc_fault: about to fault\n");
		return kc_fault_walk(kc_fault_ptr);
	default:
		return ENOTTY;
	}
}
