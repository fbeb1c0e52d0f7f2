/*
 * kc_hello: the kernel-core smoke module. Prints at init and fini through the kernel's printf,
 * allocates and frees with kmem(9) and malloc(9), formats with snprintf, and reads curlwp's
 * process through the NetBSD structure layouts.
 */
#include <netbsd_abi.h>

extern int printf(const char *, ...);
extern int snprintf(char *, size_t, const char *, ...);
extern void *kmem_alloc(size_t, int);
extern void *kmem_zalloc(size_t, int);
extern void kmem_free(void *, size_t);
extern void *kern_malloc(unsigned long, int);
extern void kern_free(void *);
extern struct lwp *x86_curlwp(void);
extern size_t strlen(const char *);

MODULE(MODULE_CLASS_MISC, kc_hello, NULL);

static char *kc_hello_buf;
int kc_hello_checks;

static int
kc_hello_modcmd(modcmd_t cmd, void *arg)
{
	struct lwp *l;
	unsigned char *z;
	char *m;
	size_t i;

	switch (cmd) {
	case MODULE_CMD_INIT:
		l = x86_curlwp();
		printf("kc_hello: init in pid %d (%s), lwp %s\n", l->l_proc->p_pid,
		    l->l_proc->p_comm, l->l_name);
		z = kmem_zalloc(100, KM_SLEEP);
		for (i = 0; i < 100; i++)
			if (z[i] != 0)
				return EINVAL;
		kmem_free(z, 100);
		kc_hello_buf = kmem_alloc(64, KM_SLEEP);
		snprintf(kc_hello_buf, 64, "%s-%03d-%x", "buf", 7, 0xbeef);
		m = kern_malloc(5000, 0x2 /* M_ZERO */);
		m[4999] = 'x';
		kern_free(m);
		kc_hello_checks = (int)strlen(kc_hello_buf);
		printf("kc_hello: %s (%d bytes)\n", kc_hello_buf, kc_hello_checks);
		return 0;
	case MODULE_CMD_FINI:
		printf("kc_hello: fini, freeing %s\n", kc_hello_buf);
		kmem_free(kc_hello_buf, 64);
		return 0;
	case MODULE_CMD_STAT:
		return kc_hello_checks == 12 ? 0 : EINVAL;
	default:
		return ENOTTY;
	}
}
