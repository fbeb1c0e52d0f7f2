/* Weak symbols: weak undefined imports (refused by NetBSD's kobj) and a weak definition. */
#include <netbsd_module.h>

extern void link_weak_optional_hook(int) __attribute__((weak));
extern int link_weak_optional_data __attribute__((weak));

MODULE(MODULE_CLASS_MISC, link_weak, NULL);

__attribute__((weak, noinline)) int
link_weak_default(void)
{
	return 42;
}

static int
link_weak_modcmd(modcmd_t cmd, void *arg)
{
	if (cmd != MODULE_CMD_INIT)
		return cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
	if (link_weak_optional_hook)
		link_weak_optional_hook(1);
	return &link_weak_optional_data ? link_weak_optional_data : link_weak_default() - 42;
}
