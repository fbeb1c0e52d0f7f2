/* Two modinfo pointers in one file: NetBSD allows one module per file, so loading must fail. */
#include <netbsd_module.h>

MODULE(MODULE_CLASS_MISC, link_two_first, NULL);
MODULE(MODULE_CLASS_MISC, link_two_second, NULL);

static int link_two_first_modcmd(modcmd_t cmd, void *arg) { return 0; }
static int link_two_second_modcmd(modcmd_t cmd, void *arg) { return 0; }
