/**
 * The x86-64 relocation types (psABI table 4.9), each described once: the field it patches,
 * how its value is computed, and how overflow is checked. The linker, the inspection API and
 * the README table all read this one table.
 *
 * Symbols in formulas, as in the psABI: S symbol value, A addend, P address of the field,
 * B base of the section being relocated (NetBSD's kobj passes that section's address as
 * `relocbase`), G offset of the symbol's GOT entry, GOT address of the GOT, Z symbol size.
 */

export type RelocationFormula =
  | 'none' // nothing to do
  | 'S+A'
  | 'S' // GLOB_DAT / JUMP_SLOT: the addend is ignored, as in NetBSD's kobj
  | 'S+A-P'
  | 'B+A'
  | 'G+GOT+A-P'
  | 'G+A'
  | 'S+A-GOT'
  | 'GOT+A-P'
  | 'Z+A';

/** How a value that is wider than its field is caught. */
export type OverflowCheck =
  | 'none' // 64-bit fields: wrap modulo 2^64
  | 'signed' // must fit a sign-extended field (32S, PC32, ...)
  | 'unsigned' // must fit a zero-extended field (32, SIZE32)
  | 'bitfield'; // either (16, 8: GNU ld's complain_overflow_bitfield)

export interface RelocationType {
  readonly type: number;
  readonly name: string;
  /** Width of the patched field in bytes; 0 for R_X86_64_NONE. */
  readonly size: 0 | 1 | 2 | 4 | 8;
  readonly formula: RelocationFormula;
  readonly check: OverflowCheck;
  /** Needs a GOT entry for its symbol. */
  readonly gotEntry: boolean;
  /** Needs the GOT's address (GOTOFF, GOTPC). */
  readonly gotBase: boolean;
}

const t = (
  type: number,
  name: string,
  size: 0 | 1 | 2 | 4 | 8,
  formula: RelocationFormula,
  check: OverflowCheck,
): RelocationType => ({
  type,
  name: `R_X86_64_${name}`,
  size,
  formula,
  check,
  gotEntry: formula === 'G+GOT+A-P' || formula === 'G+A',
  gotBase: formula === 'G+GOT+A-P' || formula === 'S+A-GOT' || formula === 'GOT+A-P',
});

/** Every type this linker applies. */
export const SUPPORTED_RELOCATIONS: readonly RelocationType[] = [
  t(0, 'NONE', 0, 'none', 'none'),
  t(1, '64', 8, 'S+A', 'none'),
  t(2, 'PC32', 4, 'S+A-P', 'signed'),
  t(3, 'GOT32', 4, 'G+A', 'signed'),
  t(4, 'PLT32', 4, 'S+A-P', 'signed'), // no PLT: calls go straight to the symbol, as in kobj
  t(6, 'GLOB_DAT', 8, 'S', 'none'),
  t(7, 'JUMP_SLOT', 8, 'S', 'none'),
  t(8, 'RELATIVE', 8, 'B+A', 'none'),
  t(9, 'GOTPCREL', 4, 'G+GOT+A-P', 'signed'),
  t(10, '32', 4, 'S+A', 'unsigned'),
  t(11, '32S', 4, 'S+A', 'signed'),
  t(12, '16', 2, 'S+A', 'bitfield'),
  t(13, 'PC16', 2, 'S+A-P', 'signed'),
  t(14, '8', 1, 'S+A', 'bitfield'),
  t(15, 'PC8', 1, 'S+A-P', 'signed'),
  t(24, 'PC64', 8, 'S+A-P', 'none'),
  t(25, 'GOTOFF64', 8, 'S+A-GOT', 'none'),
  t(26, 'GOTPC32', 4, 'GOT+A-P', 'signed'),
  t(27, 'GOT64', 8, 'G+A', 'none'),
  t(28, 'GOTPCREL64', 8, 'G+GOT+A-P', 'none'),
  t(29, 'GOTPC64', 8, 'GOT+A-P', 'none'),
  t(30, 'GOTPLT64', 8, 'G+A', 'none'),
  t(31, 'PLTOFF64', 8, 'S+A-GOT', 'none'), // L - GOT + A with L = S (no PLT)
  t(32, 'SIZE32', 4, 'Z+A', 'unsigned'),
  t(33, 'SIZE64', 8, 'Z+A', 'none'),
  t(38, 'RELATIVE64', 8, 'B+A', 'none'),
  t(41, 'GOTPCRELX', 4, 'G+GOT+A-P', 'signed'), // applied without relaxation: the GOT entry is real
  t(42, 'REX_GOTPCRELX', 4, 'G+GOT+A-P', 'signed'),
  t(43, 'CODE_4_GOTPCRELX', 4, 'G+GOT+A-P', 'signed'),
  t(46, 'CODE_5_GOTPCRELX', 4, 'G+GOT+A-P', 'signed'),
  t(49, 'CODE_6_GOTPCRELX', 4, 'G+GOT+A-P', 'signed'),
];

/** Types with a name that this linker refuses: TLS, COPY, IRELATIVE have no meaning in a kernel module. */
export const UNSUPPORTED_RELOCATIONS: Readonly<Record<number, string>> = {
  5: 'R_X86_64_COPY',
  16: 'R_X86_64_DTPMOD64',
  17: 'R_X86_64_DTPOFF64',
  18: 'R_X86_64_TPOFF64',
  19: 'R_X86_64_TLSGD',
  20: 'R_X86_64_TLSLD',
  21: 'R_X86_64_DTPOFF32',
  22: 'R_X86_64_GOTTPOFF',
  23: 'R_X86_64_TPOFF32',
  34: 'R_X86_64_GOTPC32_TLSDESC',
  35: 'R_X86_64_TLSDESC_CALL',
  36: 'R_X86_64_TLSDESC',
  37: 'R_X86_64_IRELATIVE',
  44: 'R_X86_64_CODE_4_GOTTPOFF',
  45: 'R_X86_64_CODE_4_GOTPC32_TLSDESC',
  47: 'R_X86_64_CODE_5_GOTTPOFF',
  48: 'R_X86_64_CODE_5_GOTPC32_TLSDESC',
  50: 'R_X86_64_CODE_6_GOTTPOFF',
  51: 'R_X86_64_CODE_6_GOTPC32_TLSDESC',
};

const byType: (RelocationType | undefined)[] = [];
for (const r of SUPPORTED_RELOCATIONS) byType[r.type] = r;

/** The description of a supported type, or undefined. */
export function relocationType(type: number): RelocationType | undefined {
  return byType[type];
}

/** `R_X86_64_PC32`, or `unknown type 0x..` for numbers the psABI does not define. */
export function relocationTypeName(type: number): string {
  return (
    byType[type]?.name ?? UNSUPPORTED_RELOCATIONS[type] ?? `unknown type 0x${type.toString(16)}`
  );
}
