/* A module others depend on: it exports a function and a table, and carries a NetBSD ident note. */
#include <netbsd_module.h>

MODULE(MODULE_CLASS_MISC, link_requires_a, NULL);

/* NetBSD's .note.netbsd.ident: name "NetBSD", type 1 (NT_NETBSD_IDENT), __NetBSD_Version__. */
__asm__(
	"	.section .note.netbsd.ident, \"a\", @note\n"
	"	.p2align 2\n"
	"	.long 7\n"
	"	.long 4\n"
	"	.long 1\n"
	"	.ascii \"NetBSD\\0\\0\"\n"
	"	.long 1099001200\n"
	"	.text\n");

const int link_requires_a_table[4] = { 10, 20, 30, 40 };

int
link_requires_a_lookup(int i)
{
	return link_requires_a_table[i & 3];
}

static int
link_requires_a_modcmd(modcmd_t cmd, void *arg)
{
	return cmd == MODULE_CMD_INIT || cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
}
