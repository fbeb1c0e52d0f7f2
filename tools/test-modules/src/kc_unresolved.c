/* kc_unresolved: imports kernel symbols that do not exist; it must not link. */
#include <netbsd_abi.h>

extern int kc_no_such_kernel_function(int);
extern int kc_no_such_kernel_variable;

MODULE(MODULE_CLASS_MISC, kc_unresolved, NULL);

static int
kc_unresolved_modcmd(modcmd_t cmd, void *arg)
{
	if (cmd == MODULE_CMD_INIT)
		return kc_no_such_kernel_function(kc_no_such_kernel_variable);
	return ENOTTY;
}
