/* kc_version: a module that says it was built for NetBSD 10.99.11, not the kernel's 10.99.12. */
#include <netbsd_abi.h>

static int kc_version_modcmd(modcmd_t, void *);

static const modinfo_t kc_version_modinfo = {
	.mi_version = 1099001100,
	.mi_class = MODULE_CLASS_MISC,
	.mi_modcmd = kc_version_modcmd,
	.mi_name = "kc_version",
	.mi_required = NULL
};
__link_set_add_rodata(modules, kc_version_modinfo);

static int
kc_version_modcmd(modcmd_t cmd, void *arg)
{
	return cmd == MODULE_CMD_INIT || cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
}
