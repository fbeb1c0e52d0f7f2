/* COMMON symbols (tentative definitions kept common), each with its own alignment. */
#include <netbsd_module.h>

MODULE(MODULE_CLASS_MISC, link_common, NULL);

int link_common_int __attribute__((common));
long link_common_array[16] __attribute__((common, aligned(64)));
char link_common_byte __attribute__((common));

/* A COMMON symbol declared in assembly with a large alignment. */
__asm__("	.comm link_common_asm, 100, 256\n");
extern char link_common_asm[100];

static int
link_common_modcmd(modcmd_t cmd, void *arg)
{
	if (cmd != MODULE_CMD_INIT)
		return cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
	link_common_int = 5;
	link_common_array[15] = 6;
	link_common_byte = 7;
	link_common_asm[99] = 8;
	return 0;
}
