/* The smallest module: it counts its init and fini calls and prints through the kernel's printf. */
#include <netbsd_module.h>

extern int printf(const char *, ...);

int hello_loads;

MODULE(MODULE_CLASS_MISC, hello, NULL);

static int
hello_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		hello_loads++;
		printf("hello: loaded %d time%s\n", hello_loads, hello_loads == 1 ? "" : "s");
		return 0;
	case MODULE_CMD_FINI:
		printf("hello: unloading\n");
		return 0;
	default:
		return ENOTTY;
	}
}
