/*
 * Relocation types gcc does not emit for kernel C code but the assembler does, written as
 * top-level assembly: 16, PC16, 8, PC8, PC64, SIZE32, SIZE64, the GOT family (GOTPCREL,
 * GOTPCRELX, REX_GOTPCRELX, GOTPCREL64, GOT64, GOTOFF64, GOTPC32, GOTPC64) and, through
 * .reloc, GLOB_DAT, JUMP_SLOT and RELATIVE. Imports named small16/small8 are resolved by the
 * tests to small values so that the absolute 16- and 8-bit fields fit.
 */
#include <netbsd_module.h>

MODULE(MODULE_CLASS_MISC, link_asm_relocs, NULL);

static int
link_asm_relocs_modcmd(modcmd_t cmd, void *arg)
{
	return cmd == MODULE_CMD_INIT || cmd == MODULE_CMD_FINI ? 0 : ENOTTY;
}

__asm__(
	/* Targets in their own small sections, right next to the fields that refer to them. */
	"	.section .rodata.asm_target, \"a\"\n"
	"	.globl asm_target\n"
	"	.type asm_target, @object\n"
	"asm_target:\n"
	"	.quad 0x1122334455667788\n"
	"	.quad 0\n"
	"	.size asm_target, 16\n"

	"	.section .rodata.asm_fields, \"a\"\n"
	"	.globl asm_fields\n"
	"asm_fields:\n"
	"asm_f_16:	.word small16 + 2\n"            /* R_X86_64_16 */
	"asm_f_8:	.byte small8 + 1\n"             /* R_X86_64_8 */
	"	.byte 0\n"
	"asm_f_pc16:	.word asm_target - .\n"     /* R_X86_64_PC16 */
	"asm_f_pc8:	.byte asm_target + 8 - .\n"  /* R_X86_64_PC8 */
	"	.byte 0\n"
	"	.p2align 3\n"
	"asm_f_pc64:	.quad kernel_far - . + 16\n" /* R_X86_64_PC64 */
	"asm_f_size32:	.long asm_target@SIZE + 4\n" /* R_X86_64_SIZE32 */
	"asm_f_gotpcrel:	.long kernel_far@GOTPCREL\n" /* R_X86_64_GOTPCREL */
	"asm_f_size64:	.quad asm_target@SIZE\n"     /* R_X86_64_SIZE64 */
	"asm_f_gotpcrel64:	.quad kernel_far@GOTPCREL\n" /* R_X86_64_GOTPCREL64 */
	"asm_f_gotoff64:	.quad asm_target@GOTOFF\n"   /* R_X86_64_GOTOFF64 */
	"asm_f_globdat:	.reloc ., R_X86_64_GLOB_DAT, kernel_far\n"
	"	.quad 0\n"
	"asm_f_jumpslot:	.reloc ., R_X86_64_JUMP_SLOT, kernel_func\n"
	"	.quad 0\n"
	"asm_f_relative:	.reloc ., R_X86_64_RELATIVE, 0x40\n"
	"	.quad 0\n"
	"asm_f_none:	.reloc ., R_X86_64_NONE, kernel_far\n"
	"	.quad 0x5a5a5a5a5a5a5a5a\n"

	"	.text\n"
	"	.globl asm_got_user\n"
	"	.type asm_got_user, @function\n"
	"asm_got_user:\n"
	"	movq kernel_far@GOTPCREL(%rip), %rax\n"   /* R_X86_64_REX_GOTPCRELX */
	"	call *kernel_func@GOTPCREL(%rip)\n"       /* R_X86_64_GOTPCRELX */
	"	leaq _GLOBAL_OFFSET_TABLE_(%rip), %rcx\n" /* R_X86_64_GOTPC32 */
	"	movabsq $kernel_far@GOT, %rdx\n"          /* R_X86_64_GOT64 */
	"	movabsq $_GLOBAL_OFFSET_TABLE_ - ., %rsi\n" /* R_X86_64_GOTPC64 */
	"	ret\n"
	"	.size asm_got_user, .-asm_got_user\n");
