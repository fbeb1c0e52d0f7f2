/* A module that requires link_requires_a and imports its symbols. */
#include <netbsd_module.h>

extern int link_requires_a_lookup(int);
extern const int link_requires_a_table[4];

MODULE(MODULE_CLASS_MISC, link_requires_b, "link_requires_a");

const int *const link_requires_b_table_ptr = link_requires_a_table;

int
link_requires_b_sum(void)
{
	return link_requires_a_lookup(1) + link_requires_a_table[3];
}

static int
link_requires_b_modcmd(modcmd_t cmd, void *arg)
{
	return cmd == MODULE_CMD_INIT ? link_requires_b_sum() - 60 : cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
}
