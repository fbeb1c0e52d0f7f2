/*
 * kc_initfail: registers a sysctl node (link_set_sysctl_funcs) and a static event counter
 * (link_set_evcnts), then fails MODULE_CMD_INIT with EINVAL: the kernel must undo both.
 */
#include <netbsd_abi.h>

extern int sysctl_createv(void *, int, const struct sysctlnode **, const struct sysctlnode **,
    int, int, const char *, const char *, void *, uint64_t, void *, size_t, ...);

MODULE(MODULE_CLASS_MISC, kc_initfail, NULL);

static int kc_initfail_value = 3;

static void
kc_initfail_sysctl(void *clog)
{
	sysctl_createv(clog, 0, NULL, NULL, CTLFLAG_PERMANENT, CTLTYPE_INT, "kc_initfail", NULL,
	    NULL, 0, &kc_initfail_value, 0, CTL_KERN, CTL_CREATE, -1);
}
__link_set_add_rodata(sysctl_funcs, kc_initfail_sysctl);

static struct evcnt kc_initfail_ev = { .ev_type = EVCNT_TYPE_MISC, .ev_group = "kc", .ev_name = "initfail" };
static void const *const __link_set_evcnts_sym_kc_initfail_ev
    __attribute__((__section__("link_set_evcnts"), __used__)) = &kc_initfail_ev;

static int
kc_initfail_modcmd(modcmd_t cmd, void *arg)
{
	return cmd == MODULE_CMD_INIT ? EINVAL : ENOTTY;
}
