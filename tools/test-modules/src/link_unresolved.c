/* A module with imports no kernel provides: loading it must name all of them at once. */
#include <netbsd_module.h>

extern int link_missing_function(int);
extern int link_missing_variable;
extern void zz_link_missing_last(void);

MODULE(MODULE_CLASS_MISC, link_unresolved, NULL);

static int
link_unresolved_modcmd(modcmd_t cmd, void *arg)
{
	if (cmd != MODULE_CMD_INIT)
		return ENOTTY;
	zz_link_missing_last();
	return link_missing_function(link_missing_variable);
}
