/*
 * kc_kern: the kernel's C library, copy(9), time, kauth, hashinit, workqueue, callout, cprng,
 * rwlock downgrade/upgrade, atomics, kpreempt and spl, called from compiled code the way modules
 * call them. MODULE_CMD_INIT returns 2000 + the number of the first check that fails.
 */
#include <netbsd_abi.h>

extern int printf(const char *, ...);
extern size_t strlen(const char *);
extern int strcmp(const char *, const char *);
extern int strncmp(const char *, const char *, size_t);
extern size_t strlcpy(char *, const char *, size_t);
extern size_t strlcat(char *, const char *, size_t);
extern char *strncpy(char *, const char *, size_t);
extern char *strchr(const char *, int);
extern char *strrchr(const char *, int);
extern int memcmp(const void *, const void *, size_t);
extern void *memset(void *, int, size_t);
extern void *memcpy(void *, const void *, size_t);
extern void *memmove(void *, const void *, size_t);
extern int skpc(int, size_t, unsigned char *);
extern int scanc(unsigned int, const unsigned char *, const unsigned char *, int);
extern int copyin(const void *, void *, size_t);
extern int copyout(const void *, void *, size_t);
extern int copyinstr(const void *, void *, size_t, size_t *);
extern int kcopy(const void *, void *, size_t);
extern void getmicrotime(struct timeval *);
extern void getnanouptime(struct timespec *);
extern volatile int64_t time__second;
extern int hz;
extern struct kauth_cred *kauth_cred_get(void);
extern uint32_t kauth_cred_geteuid(struct kauth_cred *);
extern int kauth_authorize_system(struct kauth_cred *, unsigned long, int, void *, void *, void *);
extern struct kauth_cred *kauth_cred_alloc(void);
extern void kauth_cred_hold(struct kauth_cred *);
extern void kauth_cred_free(struct kauth_cred *);
extern struct lwp *x86_curlwp(void);
extern void *hashinit(unsigned int, int, int, unsigned long *);
extern void hashdone(void *, int, unsigned long);
extern int workqueue_create(void **, const char *, void (*)(void *, void *), void *, int, int, int);
extern void workqueue_enqueue(void *, void *, void *);
extern void workqueue_destroy(void *);
extern void callout_init(void *, unsigned int);
extern void callout_reset(void *, int, void (*)(void *), void *);
extern int callout_pending(void *);
extern int callout_stop(void *);
extern void callout_destroy(void *);
extern uint32_t cprng_fast32(void);
extern char *kmem_asprintf(const char *, ...);
extern void kmem_strfree(char *);
extern void rw_init(krwlock_t *);
extern void rw_enter(krwlock_t *, int);
extern void rw_exit(krwlock_t *);
extern void rw_downgrade(krwlock_t *);
extern int rw_tryupgrade(krwlock_t *);
extern int rw_read_held(krwlock_t *);
extern int rw_write_held(krwlock_t *);
extern uint32_t atomic_swap_32(volatile uint32_t *, uint32_t);
extern void atomic_or_32(volatile uint32_t *, uint32_t);
extern uint32_t atomic_and_32_nv(volatile uint32_t *, uint32_t);
extern uint64_t atomic_dec_64_nv(volatile uint64_t *);
extern void kpreempt_disable(void);
extern void kpreempt_enable(void);
extern int kpreempt_disabled(void);
extern int splraise(int);
extern void splx(int);

MODULE(MODULE_CLASS_MISC, kc_kern, NULL);

int kc_kern_work_done;
static void *kc_wq;
static struct callout kc_co;
static struct {
	void *wk_dummy;
} kc_work;

static void
kc_kern_worker(void *wk, void *arg)
{
	if (wk == &kc_work && arg == &kc_kern_work_done)
		kc_kern_work_done++;
}

static void
kc_kern_tick(void *arg)
{
}

static int
kc_kern_check(void)
{
	char buf[32], big[64];
	unsigned char table[256];
	unsigned char bytes[6] = { 7, 7, 7, 1, 2, 3 };
	struct timeval tv;
	struct timespec ts;
	struct kauth_cred *cred;
	unsigned long mask;
	struct { void *first; void **last; } *tq;
	size_t done;
	krwlock_t rw;
	char *s;
	volatile uint32_t w = 0xf0;
	volatile uint64_t q = 10;
	int i, s1, s2;

	/* 1-6: strings */
	if (strlen("kernel") != 6 || strcmp("abc", "abd") >= 0 || strncmp("abcx", "abcy", 3) != 0)
		return 1;
	if (strlcpy(buf, "truncated string", 6) != 16 || strcmp(buf, "trunc") != 0)
		return 2;
	if (strlcat(buf, "-ok", sizeof(buf)) != 8 || strcmp(buf, "trunc-ok") != 0)
		return 3;
	memset(big, 'z', sizeof(big));
	strncpy(big, "ab", 5);
	if (big[0] != 'a' || big[2] != 0 || big[4] != 0 || big[5] != 'z')
		return 4;
	if (strchr("hello", 'l') == NULL || *strchr("hello", 'l') != 'l' ||
	    strrchr("hello", 'l') - strchr("hello", 'l') != 1 || strchr("hello", 'q') != NULL)
		return 5;
	memcpy(big, "0123456789", 10);
	memmove(big + 2, big, 6);
	if (memcmp(big, "0101234589", 10) != 0)
		return 6;
	/* 7: skpc/scanc */
	memset(table, 0, sizeof(table));
	table[2] = 0x4;
	if (skpc(7, 6, bytes) != 3 || scanc(6, bytes, table, 0x4) != 2)
		return 7;
	/* 8-9: copy(9) */
	if (copyin("copyme", buf, 7) != 0 || strcmp(buf, "copyme") != 0 ||
	    copyout("out", buf, 4) != 0 || kcopy("kc", buf, 3) != 0 || strcmp(buf, "kc") != 0)
		return 8;
	if (copyinstr("toolong", buf, 4, &done) != ENAMETOOLONG ||
	    copyinstr("fits", buf, 8, &done) != 0 || done != 5 || copyin((void *)0x1000, buf, 4) != EFAULT)
		return 9;
	/* 10: time */
	getmicrotime(&tv);
	getnanouptime(&ts);
	if (hz != 100 || tv.tv_sec < 1700000000 || tv.tv_sec - time__second > 1 || ts.tv_nsec >= 1000000000)
		return 10;
	/* 11-12: kauth */
	cred = kauth_cred_get();
	if (cred != x86_curlwp()->l_cred || kauth_cred_geteuid(cred) != 0 ||
	    kauth_authorize_system(cred, 1, 0, NULL, NULL, NULL) != 0)
		return 11;
	cred = kauth_cred_alloc();
	kauth_cred_hold(cred);
	if (cred->cr_refcnt != 2)
		return 12;
	kauth_cred_free(cred);
	kauth_cred_free(cred);
	/* 13: hash tables (HASH_TAILQ) */
	tq = hashinit(5, 2, 1, &mask);
	if (tq == NULL || mask != 7 || tq[3].first != NULL || tq[3].last != &tq[3].first)
		return 13;
	hashdone(tq, 2, mask);
	/* 14: work queues run when the kernel gets to it */
	if (workqueue_create(&kc_wq, "kcwq", kc_kern_worker, &kc_kern_work_done, 0, 0, 0) != 0)
		return 14;
	workqueue_enqueue(kc_wq, &kc_work, NULL);
	/* 15: callouts */
	callout_init(&kc_co, 0);
	callout_reset(&kc_co, 1000, kc_kern_tick, NULL);
	if (!callout_pending(&kc_co) || callout_stop(&kc_co) || callout_pending(&kc_co))
		return 15;
	callout_destroy(&kc_co);
	/* 16: cprng */
	for (i = 0; i < 4 && cprng_fast32() == cprng_fast32(); i++)
		continue;
	if (i == 4)
		return 16;
	/* 17: kmem_asprintf */
	s = kmem_asprintf("%s=%d", "x", 5);
	if (strcmp(s, "x=5") != 0)
		return 17;
	kmem_strfree(s);
	/* 18: rwlock downgrade / upgrade */
	rw_init(&rw);
	rw_enter(&rw, RW_WRITER);
	rw_downgrade(&rw);
	if (!rw_read_held(&rw) || rw_write_held(&rw) || !rw_tryupgrade(&rw) || !rw_write_held(&rw))
		return 18;
	rw_exit(&rw);
	/* 19: atomics */
	if (atomic_swap_32(&w, 0x0f) != 0xf0)
		return 19;
	atomic_or_32(&w, 0x30);
	if (atomic_and_32_nv(&w, 0x3c) != 0x3c || atomic_dec_64_nv(&q) != 9)
		return 19;
	/* 20: kpreempt and spl */
	kpreempt_disable();
	kpreempt_disable();
	kpreempt_enable();
	if (!kpreempt_disabled() || x86_curlwp()->l_nopreempt != 1)
		return 20;
	kpreempt_enable();
	s1 = splraise(IPL_VM);
	s2 = splraise(IPL_HIGH);
	if (s2 != IPL_VM)
		return 21;
	splx(s2);
	splx(s1);
	return 0;
}

static int
kc_kern_modcmd(modcmd_t cmd, void *arg)
{
	int error;

	switch (cmd) {
	case MODULE_CMD_INIT:
		error = kc_kern_check();
		printf("kc_kern: checks %s (%d)\n", error ? "FAILED" : "passed", error);
		return error ? 2000 + error : 0;
	case MODULE_CMD_FINI:
		workqueue_destroy(kc_wq);
		printf("kc_kern: work ran %d time(s)\n", kc_kern_work_done);
		return 0;
	default:
		return ENOTTY;
	}
}
