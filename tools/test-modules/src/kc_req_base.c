/* kc_req_base: a module others require; exports a function and a counter. */
#include <netbsd_abi.h>

extern int printf(const char *, ...);

MODULE(MODULE_CLASS_MISC, kc_req_base, NULL);

int kc_req_base_users;

int
kc_req_base_value(int x)
{
	kc_req_base_users++;
	return x * 3 + 1;
}

static int
kc_req_base_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		printf("kc_req_base: init\n");
		return 0;
	case MODULE_CMD_FINI:
		printf("kc_req_base: fini\n");
		return 0;
	default:
		return ENOTTY;
	}
}
