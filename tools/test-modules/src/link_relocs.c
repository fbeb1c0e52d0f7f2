/*
 * Exercises every relocation type gcc emits for NetBSD kernel code (-mcmodel=kernel):
 * R_X86_64_PLT32 (calls to the kernel), R_X86_64_PC32 (RIP-relative data, module and kernel),
 * R_X86_64_32S (addresses as immediates, switch jump tables), R_X86_64_64 (pointers in data,
 * link sets, modinfo), plus an allocated .eh_frame with PC32 relocations and a cold function
 * in .text.unlikely, as NetBSD's modules have.
 */
#include <netbsd_module.h>

extern int printf(const char *, ...);
extern int kernel_counter;          /* kernel data read RIP-relative: PC32 against an import */
extern const char kernel_banner[];  /* kernel data whose address is taken: 32S and 64 */
extern void kernel_hook(int);

MODULE(MODULE_CLASS_DRIVER, link_relocs, NULL);

int link_relocs_state = 7;
static int link_relocs_calls;

/* Pointers in data: R_X86_64_64 against local functions, local data and imports. */
static int link_relocs_twice(int x) { return 2 * x; }
static int link_relocs_square(int x) { return x * x; }
int (*const link_relocs_ops[])(int) = { link_relocs_twice, link_relocs_square };
const char *const link_relocs_names[] = { "twice", "square", kernel_banner };
int *const link_relocs_state_ptr = &link_relocs_state;

/* A sysctl-setup style link set: the kernel calls every pointer in link_set_sysctl_funcs. */
static void link_relocs_sysctl_setup(void) { link_relocs_calls++; }
static void (*const __link_set_sysctl_funcs_sym_link_relocs_sysctl_setup)(void)
    __attribute__((__section__("link_set_sysctl_funcs"), __used__)) = link_relocs_sysctl_setup;

/* A dense switch becomes a jump table: jmp *table(,%rax,8) with R_X86_64_32S, table entries R_X86_64_64. */
__attribute__((noinline)) int
link_relocs_switch(int x)
{
	switch (x) {
	case 0: return link_relocs_ops[0](x + 11);
	case 1: return kernel_counter + 3;
	case 2: return link_relocs_state * 5;
	case 3: return (int)(uintptr_t)kernel_banner;
	case 4: return link_relocs_calls - 9;
	case 5: return 13;
	case 6: return link_relocs_square(x) + 1;
	default: return -1;
	}
}

/* A cold path: gcc places it in .text.unlikely and calls it with PLT32-free direct calls. */
__attribute__((cold, noinline)) void
link_relocs_cold(int why)
{
	printf("link_relocs: cold path %d\n", why);
	kernel_hook(why);
}

/* Addresses taken as 32-bit immediates (R_X86_64_32S). */
__attribute__((noinline)) const void *
link_relocs_address_of(int which)
{
	const void *volatile p;
	if (which == 0)
		p = &link_relocs_state;
	else if (which == 1)
		p = kernel_banner;
	else
		p = (const void *)link_relocs_sysctl_setup;
	return p;
}

/*
 * A hand-written function with call-frame information: gas emits an allocated .eh_frame
 * whose FDE refers to the code with R_X86_64_PC32, as gcc does for NetBSD's modules.
 */
__asm__(
	"	.text\n"
	"	.globl link_relocs_asm_leaf\n"
	"	.type link_relocs_asm_leaf, @function\n"
	"link_relocs_asm_leaf:\n"
	"	.cfi_startproc\n"
	"	leal 1(%rdi), %eax\n"
	"	ret\n"
	"	.cfi_endproc\n"
	"	.size link_relocs_asm_leaf, .-link_relocs_asm_leaf\n");

extern int link_relocs_asm_leaf(int);

static int
link_relocs_modcmd(modcmd_t cmd, void *arg)
{
	switch (cmd) {
	case MODULE_CMD_INIT:
		kernel_counter++;
		if (link_relocs_state < 0)
			link_relocs_cold(link_relocs_state);
		return link_relocs_switch(kernel_counter) + link_relocs_asm_leaf(0) - 1 -
		    link_relocs_switch(kernel_counter);
	case MODULE_CMD_FINI:
		return 0;
	default:
		return ENOTTY;
	}
}
