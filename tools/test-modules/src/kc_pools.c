/*
 * kc_pools: pools, pool caches with constructors and destructors, mutexes, rwlocks, condition
 * variables, atomics, sysctl and evcnt registration. Every check that fails makes
 * MODULE_CMD_INIT return the number of the check, so the test names what went wrong.
 */
#include <netbsd_abi.h>

extern int printf(const char *, ...);
extern void pool_init(struct pool *, size_t, unsigned int, unsigned int, int, const char *, void *, int);
extern void *pool_get(struct pool *, int);
extern void pool_put(struct pool *, void *);
extern void pool_destroy(struct pool *);
extern struct pool_cache *pool_cache_init(size_t, unsigned int, unsigned int, unsigned int,
    const char *, void *, int, int (*)(void *, void *, int), void (*)(void *, void *), void *);
extern void *pool_cache_get_paddr(struct pool_cache *, int, uint64_t *);
extern void pool_cache_put_paddr(struct pool_cache *, void *, uint64_t);
extern void pool_cache_destroy(struct pool_cache *);
extern void mutex_init(kmutex_t *, int, int);
extern void mutex_enter(kmutex_t *);
extern void mutex_exit(kmutex_t *);
extern int mutex_tryenter(kmutex_t *);
extern int mutex_owned(kmutex_t *);
extern void mutex_destroy(kmutex_t *);
extern void rw_init(krwlock_t *);
extern void rw_enter(krwlock_t *, int);
extern int rw_tryenter(krwlock_t *, int);
extern void rw_exit(krwlock_t *);
extern int rw_write_held(krwlock_t *);
extern void rw_destroy(krwlock_t *);
extern void cv_init(kcondvar_t *, const char *);
extern void cv_signal(kcondvar_t *);
extern int cv_has_waiters(kcondvar_t *);
extern void cv_destroy(kcondvar_t *);
extern void atomic_add_int(volatile unsigned int *, int);
extern unsigned int atomic_add_int_nv(volatile unsigned int *, int);
extern uint64_t atomic_cas_64(volatile uint64_t *, uint64_t, uint64_t);
extern unsigned int atomic_inc_uint_nv(volatile unsigned int *);
extern void membar_sync(void);
extern int sysctl_createv(void *, int, const struct sysctlnode **, const struct sysctlnode **,
    int, int, const char *, const char *, void *, uint64_t, void *, size_t, ...);
extern void evcnt_attach_dynamic(struct evcnt *, int, const struct evcnt *, const char *, const char *);
extern void evcnt_detach(struct evcnt *);

MODULE(MODULE_CLASS_MISC, kc_pools, NULL);

struct item {
	uint64_t magic;
	int serial;
};

int kc_pools_ctors, kc_pools_dtors, kc_pools_knob = 42;
static struct pool kc_pool;
static struct pool_cache *kc_cache;
static kmutex_t kc_lock;
static krwlock_t kc_rw;
static kcondvar_t kc_cv;
static struct evcnt kc_ev;

static int
kc_ctor(void *arg, void *obj, int flags)
{
	struct item *it = obj;

	it->magic = 0x1234abcd5678ef00UL;
	it->serial = ++kc_pools_ctors;
	return *(int *)arg == 7 ? 0 : EINVAL;
}

static void
kc_dtor(void *arg, void *obj)
{
	struct item *it = obj;

	if (it->magic == 0x1234abcd5678ef00UL)
		kc_pools_dtors++;
}

static int kc_arg = 7;

static void
kc_pools_sysctl(void *clog)
{
	const struct sysctlnode *rnode = NULL;

	sysctl_createv(clog, 0, NULL, &rnode, CTLFLAG_PERMANENT, CTLTYPE_NODE, "kc_pools",
	    "kc_pools test knobs", NULL, 0, NULL, 0, CTL_KERN, CTL_CREATE, -1 /* CTL_EOL */);
	sysctl_createv(clog, 0, &rnode, NULL, CTLFLAG_PERMANENT | CTLFLAG_READWRITE, CTLTYPE_INT,
	    "knob", "a knob", NULL, 0, &kc_pools_knob, 0, CTL_CREATE, -1);
}
__link_set_add_rodata(sysctl_funcs, kc_pools_sysctl);

static int
kc_pools_check(void)
{
	void *a, *b, *c;
	struct item *i1, *i2;
	volatile unsigned int counter = 0;
	volatile uint64_t word = 5;

	/* 1-3: a plain pool */
	pool_init(&kc_pool, 40, 16, 0, 0, "kcpl", NULL, IPL_NONE);
	a = pool_get(&kc_pool, PR_WAITOK);
	b = pool_get(&kc_pool, PR_WAITOK | PR_ZERO);
	if (a == NULL || b == NULL || a == b)
		return 1;
	if (((uintptr_t)a & 15) != 0 || ((uintptr_t)b & 15) != 0)
		return 2;
	pool_put(&kc_pool, a);
	c = pool_get(&kc_pool, PR_WAITOK);
	if (c != a)
		return 3;
	pool_put(&kc_pool, b);
	pool_put(&kc_pool, c);
	pool_destroy(&kc_pool);

	/* 4-6: a pool cache constructs once, reuses constructed objects */
	kc_cache = pool_cache_init(sizeof(struct item), 0, 0, 0, "kcpc", NULL, IPL_NONE,
	    kc_ctor, kc_dtor, &kc_arg);
	i1 = pool_cache_get_paddr(kc_cache, PR_WAITOK, NULL);
	i2 = pool_cache_get_paddr(kc_cache, PR_WAITOK, NULL);
	if (i1 == NULL || i2 == NULL || kc_pools_ctors != 2 || i1->serial != 1)
		return 4;
	pool_cache_put_paddr(kc_cache, i1, 0);
	i1 = pool_cache_get_paddr(kc_cache, PR_WAITOK, NULL);
	if (kc_pools_ctors != 2 || i1->magic != 0x1234abcd5678ef00UL)
		return 5;
	pool_cache_put_paddr(kc_cache, i1, 0);
	pool_cache_put_paddr(kc_cache, i2, 0);

	/* 7-9: locks */
	mutex_init(&kc_lock, MUTEX_DEFAULT, IPL_NONE);
	mutex_enter(&kc_lock);
	if (!mutex_owned(&kc_lock) || mutex_tryenter(&kc_lock))
		return 7;
	mutex_exit(&kc_lock);
	if (mutex_owned(&kc_lock) || !mutex_tryenter(&kc_lock))
		return 8;
	mutex_exit(&kc_lock);
	rw_init(&kc_rw);
	rw_enter(&kc_rw, RW_READER);
	rw_enter(&kc_rw, RW_READER);
	if (rw_tryenter(&kc_rw, RW_WRITER))
		return 9;
	rw_exit(&kc_rw);
	rw_exit(&kc_rw);
	rw_enter(&kc_rw, RW_WRITER);
	if (!rw_write_held(&kc_rw))
		return 10;
	rw_exit(&kc_rw);
	cv_init(&kc_cv, "kccv");
	cv_signal(&kc_cv);
	if (cv_has_waiters(&kc_cv))
		return 11;

	/* 12-13: atomics */
	atomic_add_int(&counter, 5);
	if (atomic_add_int_nv(&counter, -2) != 3 || atomic_inc_uint_nv(&counter) != 4)
		return 12;
	if (atomic_cas_64(&word, 5, 9) != 5 || word != 9 || atomic_cas_64(&word, 5, 1) != 9)
		return 13;
	membar_sync();

	evcnt_attach_dynamic(&kc_ev, EVCNT_TYPE_MISC, NULL, "kc_pools", "checks");
	kc_ev.ev_count = 13;
	return 0;
}

static int
kc_pools_modcmd(modcmd_t cmd, void *arg)
{
	int error;

	switch (cmd) {
	case MODULE_CMD_INIT:
		error = kc_pools_check();
		printf("kc_pools: checks %s (%d)\n", error ? "FAILED" : "passed", error);
		return error ? 1000 + error : 0;
	case MODULE_CMD_FINI:
		evcnt_detach(&kc_ev);
		pool_cache_destroy(kc_cache);
		mutex_destroy(&kc_lock);
		rw_destroy(&kc_rw);
		cv_destroy(&kc_cv);
		printf("kc_pools: fini after %d constructions, %d destructions\n", kc_pools_ctors,
		    kc_pools_dtors);
		return 0;
	default:
		return ENOTTY;
	}
}
