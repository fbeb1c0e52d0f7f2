/* kc_deadlock: enters a mutex it already holds — on one lwp that can never resolve. */
#include <netbsd_abi.h>

extern void mutex_init(kmutex_t *, int, int);
extern void mutex_enter(kmutex_t *);

MODULE(MODULE_CLASS_MISC, kc_deadlock, NULL);

static kmutex_t kc_deadlock_lock;

static int
kc_deadlock_modcmd(modcmd_t cmd, void *arg)
{
	if (cmd != MODULE_CMD_INIT)
		return ENOTTY;
	mutex_init(&kc_deadlock_lock, MUTEX_DEFAULT, IPL_NONE);
	mutex_enter(&kc_deadlock_lock);
	mutex_enter(&kc_deadlock_lock);
	return 0;
}
