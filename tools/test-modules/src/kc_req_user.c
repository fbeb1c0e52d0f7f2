/* kc_req_user: requires kc_req_base (and the kernel's built-in wapbl) and calls into it. */
#include <netbsd_abi.h>

extern int printf(const char *, ...);
extern int kc_req_base_value(int);

MODULE(MODULE_CLASS_MISC, kc_req_user, "kc_req_base,wapbl");

static int
kc_req_user_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		printf("kc_req_user: init, base says %d\n", kc_req_base_value(13));
		return 0;
	case MODULE_CMD_FINI:
		printf("kc_req_user: fini\n");
		return 0;
	default:
		return ENOTTY;
	}
}
