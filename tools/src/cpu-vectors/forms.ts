/**
 * The catalog of instruction forms the differential vectors cover, and the operand values and
 * flag states each form runs on. Every form is one instruction (AT&T syntax, or raw `.byte`s for
 * encodings gas does not emit) plus the registers it reads; the harness fills every other
 * register with a fixed filler, so an instruction that reads or writes the wrong register shows.
 */
import { MEM_WINDOW, type Reg64 } from './harness.ts';
import { SplitMix64 } from './rng.ts';

export interface Case {
  /** Initial RFLAGS (arithmetic flags and DF only). */
  readonly flags: bigint;
  /** Values of the form's input registers, in `Form.inputs` order. */
  readonly regs: readonly bigint[];
  /** Initial bytes of the memory window at MEM_WINDOW (forms with memory operands). */
  readonly mem?: Uint8Array;
}

export interface Form {
  /** Vector file the form goes to (alu, shift, muldiv, ...). */
  readonly group: string;
  /** Name a failure reports: mnemonic and operand kinds, e.g. `add r64, r/m64 (mem)`. */
  readonly name: string;
  readonly asm: string;
  readonly inputs: readonly Reg64[];
  readonly memLen: number;
  readonly cases: Case[];
}

export const CF = 0x1n;
export const PF = 0x4n;
export const AF = 0x10n;
export const ZF = 0x40n;
export const SF = 0x80n;
export const DF = 0x400n;
export const OF = 0x800n;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** No flags / all arithmetic flags: the two states every form runs under. */
const F2 = [0n, ARITH];
/** Adds the "only CF" and "all but CF" states for instructions that keep or consume CF. */
const F4 = [0n, ARITH, CF, ARITH & ~CF];

type Width = 8 | 16 | 32 | 64;
const WIDTHS: readonly Width[] = [8, 16, 32, 64];
const SUFFIX: Record<Width, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };

const NAMES64 = [
  'rax',
  'rcx',
  'rdx',
  'rbx',
  'rsp',
  'rbp',
  'rsi',
  'rdi',
  'r8',
  'r9',
  'r10',
  'r11',
  'r12',
  'r13',
  'r14',
  'r15',
];

/** The register's name at a width (`reg(32, 'r9')` = `r9d`, `reg(8, 'rsi')` = `sil`). */
export function reg(w: Width, r: string): string {
  const i = NAMES64.indexOf(r);
  if (i < 0) throw new Error(`unknown register ${r}`);
  if (w === 64) return r;
  if (i >= 8) return `${r}${w === 32 ? 'd' : w === 16 ? 'w' : 'b'}`;
  const base = r.slice(1); // ax, cx, dx, bx, sp, bp, si, di
  if (w === 32) return `e${base}`;
  if (w === 16) return base;
  return i < 4 ? `${base[0]}l` : `${base}l`;
}

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;

const rng = new SplitMix64(0x5eed_c0de_2026n);
const rand = (): bigint => rng.next();

/** Edge values at width w: 0, ±1, ±2, and the sign boundaries of every width up to w. */
export function edges(w: Width): bigint[] {
  const m = mask(w);
  const set = new Set<bigint>();
  for (const v of [0n, 1n, 2n, 3n, -1n, -2n]) set.add(v & m);
  for (const b of [8, 16, 32, 64]) {
    if (b > w) break;
    const top = 1n << BigInt(b - 1);
    for (const v of [top - 1n, top, top + 1n, (1n << BigInt(b)) - 1n]) set.add(v & m);
  }
  return [...set];
}

/** A full 64-bit register value whose low w bits are v and whose upper bits are random garbage. */
function garb(w: Width, v: bigint): bigint {
  return w === 64 ? v & mask(64) : (rand() & ~mask(w) & mask(64)) | (v & mask(w));
}

function randoms(w: Width, n: number): bigint[] {
  return Array.from({ length: n }, () => rand() & mask(w));
}

function values(w: Width, nRandom: number): bigint[] {
  return [...edges(w), ...randoms(w, nRandom)];
}

function pairs(w: Width, nRandom: number): [bigint, bigint][] {
  const e = edges(w);
  const out: [bigint, bigint][] = [];
  for (const a of e) for (const b of e) out.push([a, b]);
  for (let i = 0; i < nRandom; i++) out.push([rand() & mask(w), rand() & mask(w)]);
  return out;
}

function le(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** A 32-byte memory window: random filler with an operand value at offset 8. */
function memWith(v: bigint, w: Width, len = 32, offset = 8): Uint8Array {
  const m = rng.bytes(len);
  m.set(le(v, w / 8), offset);
  return m;
}

export const forms: Form[] = [];

function add(
  group: string,
  name: string,
  asm: string,
  inputs: Reg64[],
  cases: Case[],
  memLen = 0,
): void {
  forms.push({ group, name, asm, inputs, cases, memLen });
}

function times<T>(
  flags: readonly bigint[],
  items: readonly T[],
  f: (x: T, fl: bigint) => Case,
): Case[] {
  const out: Case[] = [];
  for (const x of items) for (const fl of flags) out.push(f(x, fl));
  return out;
}

const BASE = MEM_WINDOW; // value of the base register for memory forms

// ---------------------------------------------------------------- ALU: add or adc sbb and sub xor cmp test
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
function immediates(w: Width, short: boolean): bigint[] {
  if (short) return [0n, 1n, -1n, 0x7fn, -0x80n, 0x55n];
  if (w === 8) return [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x5an];
  if (w === 16) return [0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x1234n];
  return [0x80n, 0x7fffffffn, -0x80000000n, 0x12345678n, -0x12345679n];
}
function immText(v: bigint, w: Width): string {
  return `$${v < 0n ? v : v & mask(w)}`;
}

for (const op of [...ALU, 'test']) {
  for (const w of WIDTHS) {
    const s = SUFFIX[w];
    const a = reg(w, 'rax');
    const c = reg(w, 'rcx');
    add(
      'alu',
      `${op}${s} r, r`,
      `${op}${s} %${c}, %${a}`,
      ['rax', 'rcx'],
      times(F2, pairs(w, 24), ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y)] })),
    );
    // REX-extended registers; for bytes also the high-byte registers of the legacy encoding.
    const r9 = reg(w, 'r9');
    const r10 = reg(w, 'r10');
    add(
      'alu',
      `${op}${s} r, r (REX)`,
      `${op}${s} %${r9}, %${r10}`,
      ['r9', 'r10'],
      times(
        F2,
        pairs(w, 0).filter((_, i) => i % 7 === 0),
        ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y)] }),
      ),
    );
    if (w === 8) {
      add(
        'alu',
        `${op}b rh, rh`,
        `${op}b %ch, %bh`,
        ['rcx', 'rbx'],
        times(
          F2,
          pairs(8, 16).filter((_, i) => i % 3 === 0),
          ([x, y], f) => ({
            flags: f,
            regs: [
              garb(64, (x << 8n) | (rand() & 0xffn)) | ((rand() << 16n) & mask(64)),
              garb(64, (y << 8n) | (rand() & 0xffn)) | ((rand() << 16n) & mask(64)),
            ],
          }),
        ),
      );
      add(
        'alu',
        `${op}b sil, dil (REX)`,
        `${op}b %sil, %dil`,
        ['rsi', 'rdi'],
        times(
          F2,
          pairs(8, 0).filter((_, i) => i % 5 === 0),
          ([x, y], f) => ({ flags: f, regs: [garb(8, x), garb(8, y)] }),
        ),
      );
    }
    const memPairs = pairs(w, 0)
      .filter((_, i) => i % 6 === 0)
      .concat(pairs(w, 0).slice(0, 0));
    for (let i = 0; i < 8; i++) memPairs.push([rand() & mask(w), rand() & mask(w)]);
    add(
      'alu',
      `${op}${s} r, m`,
      `${op}${s} %${c}, 8(%rbx)`,
      ['rcx', 'rbx'],
      times(F2, memPairs, ([x, y], f) => ({
        flags: f,
        regs: [garb(w, y), BASE],
        mem: memWith(x, w),
      })),
      32,
    );
    if (op !== 'test') {
      add(
        'alu',
        `${op}${s} m, r`,
        `${op}${s} 8(%rbx), %${a}`,
        ['rax', 'rbx'],
        times(F2, memPairs, ([x, y], f) => ({
          flags: f,
          regs: [garb(w, x), BASE],
          mem: memWith(y, w),
        })),
        32,
      );
    }
    if (op !== 'cmp' && op !== 'test' && (w === 8 || w === 64 || w === 32)) {
      add(
        'alu',
        `lock ${op}${s} r, m`,
        `lock ${op}${s} %${c}, 8(%rbx)`,
        ['rcx', 'rbx'],
        times(F2, memPairs.slice(0, 12), ([x, y], f) => ({
          flags: f,
          regs: [garb(w, y), BASE],
          mem: memWith(x, w),
        })),
        32,
      );
    }
    // Immediates: the accumulator short form, the sign-extended imm8 form and the full form.
    const imms: [string, bigint[]][] =
      w === 8
        ? [['imm8', immediates(8, false)]]
        : [
            ['imm8', immediates(w, true)],
            [w === 16 ? 'imm16' : 'imm32', immediates(w, false)],
          ];
    const dstVals = values(w, 6);
    for (const [kind, list] of imms) {
      for (const imm of list) {
        add(
          'alu',
          `${op}${s} ${kind}, acc`,
          `${op}${s} ${immText(imm, w)}, %${a}`,
          ['rax'],
          times(F2, dstVals, (x, f) => ({ flags: f, regs: [garb(w, x)] })),
        );
        add(
          'alu',
          `${op}${s} ${kind}, r`,
          `${op}${s} ${immText(imm, w)}, %${reg(w, 'r11')}`,
          ['r11'],
          times(
            F2,
            dstVals.filter((_, i) => i % 2 === 0),
            (x, f) => ({ flags: f, regs: [garb(w, x)] }),
          ),
        );
      }
      for (const imm of list.slice(0, 3)) {
        add(
          'alu',
          `${op}${s} ${kind}, m`,
          `${op}${s} ${immText(imm, w)}, 8(%rbx)`,
          ['rbx'],
          times(
            F2,
            dstVals.filter((_, i) => i % 3 === 0),
            (x, f) => ({ flags: f, regs: [BASE], mem: memWith(x, w) }),
          ),
          32,
        );
      }
    }
  }
}
// The imm8 form of opcode 0x82 is invalid in 64-bit mode; 0x80 /0 with a byte register through REX.
add(
  'alu',
  'add r/m8 imm8 (REX.B)',
  'addb $0x81, %r12b',
  ['r12'],
  times(F2, values(8, 4), (x, f) => ({ flags: f, regs: [garb(8, x)] })),
);

// ---------------------------------------------------------------- inc dec neg not
for (const op of ['inc', 'dec', 'neg', 'not']) {
  for (const w of WIDTHS) {
    const s = SUFFIX[w];
    const vals = values(w, 8);
    add(
      'unary',
      `${op}${s} r`,
      `${op}${s} %${reg(w, 'rax')}`,
      ['rax'],
      times(F4, vals, (x, f) => ({ flags: f, regs: [garb(w, x)] })),
    );
    add(
      'unary',
      `${op}${s} r (REX)`,
      `${op}${s} %${reg(w, 'r13')}`,
      ['r13'],
      times(
        F2,
        vals.filter((_, i) => i % 2 === 0),
        (x, f) => ({ flags: f, regs: [garb(w, x)] }),
      ),
    );
    add(
      'unary',
      `${op}${s} m`,
      `${op}${s} 8(%rbx)`,
      ['rbx'],
      times(
        F2,
        vals.filter((_, i) => i % 2 === 1),
        (x, f) => ({ flags: f, regs: [BASE], mem: memWith(x, w) }),
      ),
      32,
    );
    if (w === 32 || w === 64) {
      add(
        'unary',
        `lock ${op}${s} m`,
        `lock ${op}${s} 8(%rbx)`,
        ['rbx'],
        times(
          F2,
          vals.filter((_, i) => i % 3 === 0),
          (x, f) => ({ flags: f, regs: [BASE], mem: memWith(x, w) }),
        ),
        32,
      );
    }
  }
  add(
    'unary',
    `${op}b ah`,
    `${op}b %ah`,
    ['rax'],
    times(F2, values(8, 2), (x, f) => ({
      flags: f,
      regs: [garb(64, (rand() & ~0xff00n) | (x << 8n))],
    })),
  );
}

// ---------------------------------------------------------------- shifts and rotates
const SHIFTS = ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr'];
const CL_COUNTS = [...Array.from({ length: 66 }, (_, i) => BigInt(i)), 127n, 128n, 255n];
const IMM_COUNTS = [0n, 1n, 2n, 3n, 7n, 8n, 9n, 15n, 16n, 17n, 31n, 32n, 33n, 63n, 64n, 65n, 255n];
function shiftValues(w: Width): bigint[] {
  const m = mask(w);
  const top = 1n << BigInt(w - 1);
  return [0n, 1n, top, top - 1n, m, 0x5a5a5a5a5a5a5a5an & m, rand() & m, rand() & m];
}
for (const op of SHIFTS) {
  for (const w of WIDTHS) {
    const s = SUFFIX[w];
    const a = reg(w, 'rax');
    const vals = shiftValues(w);
    const cases: Case[] = [];
    for (const n of CL_COUNTS)
      for (const x of vals)
        for (const f of F2) cases.push({ flags: f, regs: [garb(w, x), garb(8, n)] });
    add('shift', `${op}${s} cl, r`, `${op}${s} %cl, %${a}`, ['rax', 'rcx'], cases);
    for (const n of IMM_COUNTS) {
      add(
        'shift',
        `${op}${s} imm8, r`,
        `${op}${s} $${n}, %${reg(w, 'r14')}`,
        ['r14'],
        times(F2, vals, (x, f) => ({ flags: f, regs: [garb(w, x)] })),
      );
    }
    // gas encodes a count of 1 as the D1 form; the C1 form with an immediate 1 separately:
    const ext = { shl: 4, shr: 5, sar: 7, rol: 0, ror: 1, rcl: 2, rcr: 3 }[op]!;
    const rex = w === 64 ? '0x48, ' : w === 16 ? '0x66, ' : '';
    const opc = w === 8 ? '0xc0' : '0xc1';
    add(
      'shift',
      `${op}${s} imm8=1 (C1 form), r`,
      `.byte ${rex}${opc}, ${0xc0 | (ext << 3)}, 1`,
      ['rax'],
      times(F2, vals, (x, f) => ({ flags: f, regs: [garb(w, x)] })),
    );
    const memCases: Case[] = [];
    for (const n of [0n, 1n, 2n, 7n, 8n, 31n, 32n, 33n, 63n, 64n])
      for (const x of vals.slice(0, 6))
        memCases.push({ flags: ARITH, regs: [garb(8, n), BASE], mem: memWith(x, w) });
    add('shift', `${op}${s} cl, m`, `${op}${s} %cl, 8(%rbx)`, ['rcx', 'rbx'], memCases, 32);
    add(
      'shift',
      `${op}${s} 1, m`,
      `${op}${s} 8(%rbx)`,
      ['rbx'],
      times(F2, vals, (x, f) => ({ flags: f, regs: [BASE], mem: memWith(x, w) })),
      32,
    );
  }
}
for (const op of ['shld', 'shrd']) {
  for (const w of [16, 32, 64] as const) {
    const s = SUFFIX[w];
    const m = mask(w);
    const top = 1n << BigInt(w - 1);
    const pv: [bigint, bigint][] = [
      [0n, m],
      [m, 0n],
      [1n, top],
      [top, 1n],
      [0x5a5a5a5a5a5a5a5an & m, 0x123456789abcdef0n & m],
      [rand() & m, rand() & m],
    ];
    const cases: Case[] = [];
    for (const n of CL_COUNTS)
      for (const [x, y] of pv)
        for (const f of F2) cases.push({ flags: f, regs: [garb(w, x), garb(w, y), garb(8, n)] });
    add(
      'shift',
      `${op}${s} cl, r, r`,
      `${op}${s} %cl, %${reg(w, 'rdx')}, %${reg(w, 'rax')}`,
      ['rax', 'rdx', 'rcx'],
      cases,
    );
    for (const n of IMM_COUNTS) {
      add(
        'shift',
        `${op}${s} imm8, r, r`,
        `${op}${s} $${n}, %${reg(w, 'rdx')}, %${reg(w, 'rax')}`,
        ['rax', 'rdx'],
        times(F2, pv, ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y)] })),
      );
    }
    const mc: Case[] = [];
    for (const n of [0n, 1n, 5n, 15n, 16n, 31n, 32n, 63n])
      for (const [x, y] of pv)
        mc.push({ flags: 0n, regs: [garb(w, y), garb(8, n), BASE], mem: memWith(x, w) });
    add(
      'shift',
      `${op}${s} cl, r, m`,
      `${op}${s} %cl, %${reg(w, 'rdx')}, 8(%rbx)`,
      ['rdx', 'rcx', 'rbx'],
      mc,
      32,
    );
  }
}

// ---------------------------------------------------------------- mul imul div idiv
for (const w of WIDTHS) {
  const s = SUFFIX[w];
  const pl = pairs(w, 40);
  for (const op of ['mul', 'imul']) {
    add(
      'muldiv',
      `${op}${s} r`,
      `${op}${s} %${reg(w, 'rcx')}`,
      ['rax', 'rcx', 'rdx'],
      times(F2, pl, ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y), rand()] })),
    );
    add(
      'muldiv',
      `${op}${s} m`,
      `${op}${s} 8(%rbx)`,
      ['rax', 'rbx', 'rdx'],
      times(
        F2,
        pl.filter((_, i) => i % 9 === 0),
        ([x, y], f) => ({ flags: f, regs: [garb(w, x), BASE, rand()], mem: memWith(y, w) }),
      ),
      32,
    );
  }
  if (w !== 8) {
    add(
      'muldiv',
      `imul${s} r, r`,
      `imul${s} %${reg(w, 'rcx')}, %${reg(w, 'rax')}`,
      ['rax', 'rcx'],
      times(F2, pl, ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y)] })),
    );
    add(
      'muldiv',
      `imul${s} m, r`,
      `imul${s} 8(%rbx), %${reg(w, 'r8')}`,
      ['r8', 'rbx'],
      times(
        F2,
        pl.filter((_, i) => i % 9 === 0),
        ([x, y], f) => ({ flags: f, regs: [garb(w, x), BASE], mem: memWith(y, w) }),
      ),
      32,
    );
    for (const imm of [...immediates(w, true), ...immediates(w, false)]) {
      add(
        'muldiv',
        `imul${s} imm, r, r`,
        `imul${s} ${immText(imm, w)}, %${reg(w, 'rcx')}, %${reg(w, 'rdx')}`,
        ['rcx'],
        times(F2, values(w, 4), (x, f) => ({ flags: f, regs: [garb(w, x)] })),
      );
    }
    add(
      'muldiv',
      `imul${s} imm, m, r`,
      `imul${s} $-3, 8(%rbx), %${reg(w, 'rdx')}`,
      ['rbx'],
      times(F2, values(w, 0), (x, f) => ({ flags: f, regs: [BASE], mem: memWith(x, w) })),
      32,
    );
  }
  // Division: dividends around the quotient-overflow boundary, divisors 0, ±1, sign boundaries.
  for (const op of ['div', 'idiv']) {
    const m = mask(w);
    const cases: Case[] = [];
    const divisors = [...edges(w), ...randoms(w, 4)];
    for (const d of divisors) {
      const hiList = [0n, 1n, m, (d - 1n) & m, d & m, (d >> 1n) & m, rand() & m];
      const loList = [0n, 1n, m, 1n << BigInt(w - 1), rand() & m];
      for (const hi of hiList) {
        for (const lo of loList) {
          if (w === 8)
            cases.push({ flags: ARITH, regs: [garb(16, (hi << 8n) | lo), 0n, garb(8, d)] });
          else
            cases.push({
              flags: cases.length % 2 ? ARITH : 0n,
              regs: [garb(w, lo), garb(w, hi), garb(w, d)],
            });
        }
      }
    }
    add('muldiv', `${op}${s} r`, `${op}${s} %${reg(w, 'rcx')}`, ['rax', 'rdx', 'rcx'], cases);
    add(
      'muldiv',
      `${op}${s} m`,
      `${op}${s} 8(%rbx)`,
      ['rax', 'rdx', 'rbx'],
      cases
        .filter((_, i) => i % 10 === 0)
        .map((c) => ({
          flags: c.flags,
          regs: [c.regs[0]!, c.regs[1]!, BASE],
          mem: memWith(c.regs[2]!, w),
        })),
      32,
    );
  }
}

// ---------------------------------------------------------------- bit test and scan
for (const op of ['bt', 'bts', 'btr', 'btc']) {
  for (const w of [16, 32, 64] as const) {
    const s = SUFFIX[w];
    const offs = [
      0n,
      1n,
      BigInt(w / 2 - 1),
      BigInt(w - 1),
      BigInt(w),
      BigInt(w + 1),
      BigInt(2 * w + 3),
      -1n,
      rand(),
    ];
    const vals = [0n, mask(w), 0x5a5a5a5a5a5a5a5an & mask(w), rand() & mask(w)];
    const rc: Case[] = [];
    for (const o of offs)
      for (const v of vals)
        for (const f of F2) rc.push({ flags: f, regs: [garb(w, v), garb(w, o)] });
    add(
      'bit',
      `${op}${s} r, r`,
      `${op}${s} %${reg(w, 'rcx')}, %${reg(w, 'rax')}`,
      ['rax', 'rcx'],
      rc,
    );
    for (const n of [0n, 1n, BigInt(w - 1), BigInt(w), BigInt(w + 5), 255n]) {
      add(
        'bit',
        `${op}${s} imm8, r`,
        `${op}${s} $${n}, %${reg(w, 'r10')}`,
        ['r10'],
        times(F2, vals, (v, f) => ({ flags: f, regs: [garb(w, v)] })),
      );
    }
    // Register bit offsets address memory beyond the operand (bit-string addressing), signed.
    const mc: Case[] = [];
    for (const o of [0n, 5n, BigInt(w - 1), BigInt(w), 100n, 300n, -1n, -100n, -300n]) {
      for (const f of F2)
        mc.push({ flags: f, regs: [garb(w, o), BASE + 64n], mem: rng.bytes(160) });
    }
    add('bit', `${op}${s} r, m`, `${op}${s} %${reg(w, 'rcx')}, (%rbx)`, ['rcx', 'rbx'], mc, 160);
    for (const n of [3n, BigInt(w + 3)]) {
      add(
        'bit',
        `${op}${s} imm8, m`,
        `${op}${s} $${n}, 8(%rbx)`,
        ['rbx'],
        times(F2, vals, (v, f) => ({ flags: f, regs: [BASE], mem: memWith(v, w) })),
        32,
      );
    }
  }
}
for (const op of ['bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt']) {
  for (const w of [16, 32, 64] as const) {
    const s = SUFFIX[w];
    const m = mask(w);
    const vals = [
      0n,
      1n,
      2n,
      3n,
      m,
      1n << BigInt(w - 1),
      1n << BigInt(w / 2),
      0x5a5a5a5a5a5a5a5an & m,
      0x00f0n,
      ...randoms(w, 4),
    ];
    add(
      'bit',
      `${op}${s} r, r`,
      `${op}${s} %${reg(w, 'rcx')}, %${reg(w, 'rax')}`,
      ['rax', 'rcx'],
      times(F2, vals, (v, f) => ({ flags: f, regs: [rand(), garb(w, v)] })),
    );
    add(
      'bit',
      `${op}${s} m, r`,
      `${op}${s} 8(%rbx), %${reg(w, 'r9')}`,
      ['r9', 'rbx'],
      times(
        F2,
        vals.filter((_, i) => i % 2 === 0),
        (v, f) => ({ flags: f, regs: [rand(), BASE], mem: memWith(v, w) }),
      ),
      32,
    );
  }
}

// ---------------------------------------------------------------- setcc cmovcc over flag states
const CCS = [
  'o',
  'no',
  'b',
  'ae',
  'e',
  'ne',
  'be',
  'a',
  's',
  'ns',
  'p',
  'np',
  'l',
  'ge',
  'le',
  'g',
];
const flagStates: bigint[] = [];
for (let i = 0; i < 32; i++) {
  flagStates.push(
    (i & 1 ? CF : 0n) |
      (i & 2 ? PF : 0n) |
      (i & 4 ? ZF : 0n) |
      (i & 8 ? SF : 0n) |
      (i & 16 ? OF : 0n) |
      (i === 5 ? AF : 0n),
  );
}
for (const cc of CCS) {
  add(
    'cond',
    `set${cc} r8`,
    `set${cc} %al`,
    ['rax'],
    flagStates.map((f) => ({ flags: f, regs: [rand()] })),
  );
  add(
    'cond',
    `set${cc} r8 (REX)`,
    `set${cc} %sil`,
    ['rsi'],
    flagStates.filter((_, i) => i % 3 === 0).map((f) => ({ flags: f, regs: [rand()] })),
  );
  add(
    'cond',
    `set${cc} m8`,
    `set${cc} 8(%rbx)`,
    ['rbx'],
    flagStates
      .filter((_, i) => i % 3 === 1)
      .map((f) => ({ flags: f, regs: [BASE], mem: rng.bytes(32) })),
    32,
  );
  for (const w of [16, 32, 64] as const) {
    add(
      'cond',
      `cmov${cc} r${w}, r${w}`,
      `cmov${cc} %${reg(w, 'rcx')}, %${reg(w, 'rax')}`,
      ['rax', 'rcx'],
      flagStates.map((f) => ({ flags: f, regs: [rand(), rand()] })),
    );
  }
  add(
    'cond',
    `cmov${cc} m32, r32`,
    `cmov${cc} 8(%rbx), %r12d`,
    ['r12', 'rbx'],
    flagStates
      .filter((_, i) => i % 2 === 0)
      .map((f) => ({ flags: f, regs: [rand(), BASE], mem: rng.bytes(32) })),
    32,
  );
}

// ---------------------------------------------------------------- conversions and moves
for (const op of ['cbtw', 'cwtl', 'cltq', 'cwtd', 'cltd', 'cqto']) {
  const w: Width =
    op === 'cbtw'
      ? 8
      : op === 'cwtl' || op === 'cwtd'
        ? 16
        : op === 'cltq' || op === 'cltd'
          ? 32
          : 64;
  add(
    'move',
    op,
    op,
    ['rax', 'rdx'],
    times(F2, values(w, 6), (v, f) => ({ flags: f, regs: [garb(w, v), rand()] })),
  );
}
const EXT: [string, Width, Width][] = [
  ['movsbw', 8, 16],
  ['movsbl', 8, 32],
  ['movsbq', 8, 64],
  ['movswl', 16, 32],
  ['movswq', 16, 64],
  ['movslq', 32, 64],
  ['movzbw', 8, 16],
  ['movzbl', 8, 32],
  ['movzbq', 8, 64],
  ['movzwl', 16, 32],
  ['movzwq', 16, 64],
];
for (const [op, from, to] of EXT) {
  const vals = values(from, 4);
  add(
    'move',
    `${op} r, r`,
    `${op} %${reg(from, 'rcx')}, %${reg(to, 'rax')}`,
    ['rax', 'rcx'],
    times([0n], vals, (v) => ({ flags: ARITH, regs: [rand(), garb(from, v)] })),
  );
  add(
    'move',
    `${op} r, r (REX)`,
    `${op} %${reg(from, 'r11')}, %${reg(to, 'r15')}`,
    ['r15', 'r11'],
    times([0n], vals, (v) => ({ flags: 0n, regs: [rand(), garb(from, v)] })),
  );
  add(
    'move',
    `${op} m, r`,
    `${op} 8(%rbx), %${reg(to, 'rdx')}`,
    ['rdx', 'rbx'],
    times([0n], vals, (v) => ({ flags: 0n, regs: [rand(), BASE], mem: memWith(v, from) })),
    32,
  );
  if (from === 8 && to !== 64)
    add(
      'move',
      `${op} rh, r`,
      `${op} %bh, %${reg(to, 'rdi')}`,
      ['rdi', 'rbx'],
      times([0n], vals, (v) => ({
        flags: 0n,
        regs: [rand(), garb(64, (rand() & ~0xff00n) | (v << 8n))],
      })),
    );
}
for (const w of WIDTHS) {
  const s = SUFFIX[w];
  const vals = values(w, 2);
  add(
    'move',
    `mov${s} r, r`,
    `mov${s} %${reg(w, 'rcx')}, %${reg(w, 'r8')}`,
    ['r8', 'rcx'],
    vals.map((v) => ({ flags: ARITH, regs: [rand(), garb(w, v)] })),
  );
  add(
    'move',
    `mov${s} r, m`,
    `mov${s} %${reg(w, 'rcx')}, 8(%rbx)`,
    ['rcx', 'rbx'],
    vals.slice(0, 6).map((v) => ({ flags: 0n, regs: [garb(w, v), BASE], mem: rng.bytes(32) })),
    32,
  );
  add(
    'move',
    `mov${s} m, r`,
    `mov${s} 8(%rbx), %${reg(w, 'r9')}`,
    ['r9', 'rbx'],
    vals.slice(0, 6).map((v) => ({ flags: 0n, regs: [rand(), BASE], mem: memWith(v, w) })),
    32,
  );
  add(
    'move',
    `mov${s} imm, r`,
    `mov${s} $${0x89abcdef01234567n & mask(w)}, %${reg(w, 'r10')}`,
    ['r10'],
    [{ flags: 0n, regs: [rand()] }],
  );
  add(
    'move',
    `mov${s} imm, m`,
    `mov${s} $${0x1234567n & mask(w) & 0x7fffffffn}, 8(%rbx)`,
    ['rbx'],
    [{ flags: 0n, regs: [BASE], mem: rng.bytes(32) }],
    32,
  );
  if (w !== 8) {
    add(
      'move',
      `xchg${s} r, acc`,
      `xchg${s} %${reg(w, 'r9')}, %${reg(w, 'rax')}`,
      ['rax', 'r9'],
      [{ flags: 0n, regs: [rand(), rand()] }],
    );
  }
  add(
    'move',
    `xchg${s} r, r`,
    `xchg${s} %${reg(w, 'rcx')}, %${reg(w, 'rdx')}`,
    ['rcx', 'rdx'],
    [
      { flags: 0n, regs: [rand(), rand()] },
      { flags: ARITH, regs: [rand(), rand()] },
    ],
  );
  add(
    'move',
    `xchg${s} r, m`,
    `xchg${s} %${reg(w, 'rcx')}, 8(%rbx)`,
    ['rcx', 'rbx'],
    [{ flags: 0n, regs: [rand(), BASE], mem: rng.bytes(32) }],
    32,
  );
  const xp = pairs(w, 4).filter((_, i) => i % 5 === 0);
  add(
    'move',
    `xadd${s} r, r`,
    `xadd${s} %${reg(w, 'rcx')}, %${reg(w, 'rdx')}`,
    ['rcx', 'rdx'],
    times(F2, xp, ([x, y], f) => ({ flags: f, regs: [garb(w, x), garb(w, y)] })),
  );
  add(
    'move',
    `lock xadd${s} r, m`,
    `lock xadd${s} %${reg(w, 'rcx')}, 8(%rbx)`,
    ['rcx', 'rbx'],
    times([0n], xp, ([x, y], f) => ({ flags: f, regs: [garb(w, x), BASE], mem: memWith(y, w) })),
    32,
  );
  // cmpxchg: accumulator equal to the destination (store) and not equal (load into accumulator).
  const cx: Case[] = [];
  for (const [x, y] of pairs(w, 4).filter((_, i) => i % 7 === 0)) {
    const z = rand();
    cx.push({ flags: 0n, regs: [garb(w, x), z, garb(w, x)] });
    cx.push({ flags: ARITH, regs: [garb(w, x), z, garb(w, y)] });
  }
  add(
    'move',
    `cmpxchg${s} r, r`,
    `cmpxchg${s} %${reg(w, 'rcx')}, %${reg(w, 'rdx')}`,
    ['rax', 'rcx', 'rdx'],
    cx,
  );
  add(
    'move',
    `lock cmpxchg${s} r, m`,
    `lock cmpxchg${s} %${reg(w, 'rcx')}, 8(%rbx)`,
    ['rax', 'rcx', 'rbx'],
    cx.map((c) => ({
      flags: c.flags,
      regs: [c.regs[0]!, c.regs[1]!, BASE],
      mem: memWith(c.regs[2]!, w),
    })),
    32,
  );
}
add(
  'move',
  'movabs imm64, r',
  'movabsq $0x8123456789abcdef, %r13',
  ['r13'],
  [{ flags: 0n, regs: [rand()] }],
);
add('move', 'movq simm32, r', 'movq $-2, %r13', ['r13'], [{ flags: 0n, regs: [rand()] }]);
add('move', 'movb imm8, rh', 'movb $0x9c, %ch', ['rcx'], [{ flags: 0n, regs: [rand()] }]);
add(
  'move',
  'movb rh, rh',
  'movb %ah, %dh',
  ['rax', 'rdx'],
  [{ flags: 0n, regs: [rand(), rand()] }],
);
add(
  'move',
  'xchg eax, eax (87 C0 zero-extends)',
  '.byte 0x87, 0xc0',
  ['rax'],
  [{ flags: 0n, regs: [rand() | (1n << 63n)] }],
);
add(
  'move',
  'nop (90 is not xchg eax, eax)',
  'nop',
  ['rax'],
  times(F2, [rand() | (1n << 63n)], (v, f) => ({ flags: f, regs: [v] })),
);
add(
  'move',
  'xchg r8, rax (REX.B 90)',
  '.byte 0x49, 0x90',
  ['rax', 'r8'],
  [{ flags: 0n, regs: [rand(), rand()] }],
);
for (const [name, base, off] of [
  ['cmpxchg8b', 'rdi', 8],
  ['cmpxchg16b', 'rdi', 16],
] as const) {
  const w = name === 'cmpxchg8b' ? 32 : 64;
  const cases: Case[] = [];
  for (let i = 0; i < 6; i++) {
    const lo = rand() & mask(w);
    const hi = rand() & mask(w);
    const eq = i % 2 === 0;
    const memLo = eq ? lo : i === 1 ? lo ^ 1n : lo;
    const memHi = eq ? hi : i === 3 ? hi : hi ^ (1n << BigInt(w - 1));
    const m = rng.bytes(48);
    m.set(le(memLo, w / 8), off);
    m.set(le(memHi, w / 8), off + w / 8);
    cases.push({
      flags: i & 1 ? ARITH : 0n,
      regs: [garb(w as Width, lo), garb(w as Width, hi), rand(), rand(), BASE],
      mem: m,
    });
  }
  add(
    'move',
    `lock ${name} m`,
    `lock ${name} ${off}(%${base})`,
    ['rax', 'rdx', 'rcx', 'rbx', 'rdi'],
    cases,
    48,
  );
}
for (const r of ['eax', 'rax', 'r9d', 'r9']) {
  const full = r.startsWith('r9') ? 'r9' : 'rax';
  add(
    'move',
    `bswap ${r}`,
    `bswap %${r}`,
    [full as Reg64],
    [
      { flags: 0n, regs: [rand()] },
      { flags: ARITH, regs: [0x0102030405060708n] },
    ],
  );
}

// ---------------------------------------------------------------- flag instructions
for (const op of ['lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std']) {
  const fl = [0n, ARITH, CF, PF | ZF, SF | AF, OF];
  add(
    'flags',
    op,
    op,
    ['rax'],
    fl.map((f) => ({ flags: f, regs: [rand()] })),
  );
}

// ---------------------------------------------------------------- string instructions
const STR = ['movs', 'stos', 'lods', 'cmps', 'scas'];
for (const op of STR) {
  for (const w of WIDTHS) {
    const s = SUFFIX[w];
    const reps = op === 'cmps' || op === 'scas' ? ['', 'repe ', 'repne '] : ['', 'rep '];
    for (const rep of reps) {
      const cases: Case[] = [];
      for (const df of [0n, DF]) {
        for (const n of rep ? [0n, 1n, 2n, 5n] : [3n]) {
          for (const pattern of op === 'cmps' || op === 'scas' ? [0, 1, 2] : [0]) {
            // Source at +0x20/+0x60, destination at +0x90/+0xd0 of a 256-byte window.
            const src = BASE + (df ? 0x60n : 0x20n);
            const dst = BASE + (df ? 0xd0n : 0x90n);
            const m = rng.bytes(256);
            const el = w / 8;
            const acc = rand();
            if (pattern > 0) {
              // Make the first `pattern` elements match (repe runs on, repne stops).
              for (let k = 0; k < 8; k++) {
                const step = df ? -k * el : k * el;
                const so = Number(src - BASE) + step;
                const doff = Number(dst - BASE) + step;
                for (let b = 0; b < el; b++) {
                  const same = k < pattern;
                  const sv = m[so + b]!;
                  m[doff + b] = same ? sv : sv ^ 0x11;
                }
                if (op === 'scas' && k === 0) {
                  // scas compares the accumulator with [rdi]: make the first element equal to it.
                  for (let b = 0; b < el; b++) m[doff + b] = Number((acc >> BigInt(8 * b)) & 0xffn);
                }
              }
            }
            cases.push({
              flags: df | (n & 1n ? ARITH & ~DF : 0n),
              regs: [src, dst, garb(64, n), acc],
              mem: m,
            });
          }
        }
      }
      add('string', `${rep}${op}${s}`, `${rep}${op}${s}`, ['rsi', 'rdi', 'rcx', 'rax'], cases, 256);
    }
  }
}
add(
  'string',
  'addr32 rep movsb',
  'addr32 rep movsb',
  ['rsi', 'rdi', 'rcx', 'rax'],
  [
    {
      flags: 0n,
      regs: [BASE + 0x10n, BASE + 0x80n, 0xffff_ffff_0000_0004n, rand()],
      mem: rng.bytes(256),
    },
  ],
  256,
);

// ---------------------------------------------------------------- lea and addressing forms
const LEA: string[] = [
  'lea (%rax), %rdx',
  'lea 8(%rax), %rdx',
  'lea -0x80(%rax,%rcx), %rdx',
  'lea 0x12345678(%rax,%rcx,8), %rdx',
  'lea (,%rcx,4), %rdx',
  'lea 0x10(,%rcx,2), %rdx',
  'lea -4(,%rcx,8), %rdx',
  'lea (%r12), %rdx',
  'lea 7(%r12,%r13,2), %r9',
  'lea (%r13), %rdx',
  'lea (%rbp), %rdx',
  'lea -1(%rbp,%rax,1), %rdx',
  'lea (%rax,%r12,2), %r9',
  'lea 0x7fffffff(%rax), %rdx',
  'lea -0x80000000(%rax,%rcx), %rdx',
  'lea -1(%rax,%rcx), %edx',
  'lea (%eax,%ecx), %edx',
  'lea 1(%eax), %rdx',
  'lea 8(%eax,%ecx,4), %rdx',
  'lea 8(%rax,%rcx), %dx',
  'lea 0x10(%rip), %rax',
  'lea -0x100(%rip), %r11',
  'lea 0x1000, %rax',
  '.byte 0x48, 0x8d, 0x14, 0x20',
];
for (const text of LEA) {
  const vals = [
    0n,
    1n,
    -1n & mask(64),
    1n << 63n,
    (1n << 63n) - 1n,
    0xffffffffn,
    0x80000000n,
    ...randoms(64, 3),
  ];
  const cases: Case[] = vals.map((v, i) => ({
    flags: i % 2 ? ARITH : 0n,
    regs: [v, vals[(i + 3) % vals.length]!, rand(), rand(), rand()],
  }));
  add('lea', text, text, ['rax', 'rcx', 'r12', 'r13', 'rbp'], cases);
}

// ---------------------------------------------------------------- prefix combinations and no-ops
const RAW: [string, string][] = [
  ['66 REX.W add (REX.W wins)', '.byte 0x66, 0x48, 0x01, 0xc8'],
  ['REX before 66 is ignored (16-bit add)', '.byte 0x48, 0x66, 0x01, 0xc8'],
  ['66 66 add (redundant prefix)', '.byte 0x66, 0x66, 0x01, 0xc8'],
  ['cs: add reg (ignored segment)', '.byte 0x2e, 0x01, 0xc8'],
  ['ds: REX.W add', '.byte 0x3e, 0x48, 0x01, 0xc8'],
  ['rep add (ignored)', '.byte 0xf3, 0x48, 0x01, 0xc8'],
  ['REX 40 add al, sil (not dh)', '.byte 0x40, 0x00, 0xf0'],
  ['no REX add al, ah', '.byte 0x00, 0xe0'],
  ['no REX add al, dh', '.byte 0x00, 0xf0'],
  ['REX.R add r8b, al', '.byte 0x44, 0x00, 0xc0'],
  ['66 REX.B mov r9w imm16', '.byte 0x66, 0x41, 0xb9, 0x34, 0x12'],
  ['REX.W mov r imm32 sign-extended (C7)', '.byte 0x48, 0xc7, 0xc0, 0x00, 0x00, 0x00, 0x80'],
  ['mov eax, imm32 (B8, zero-extends)', '.byte 0xb8, 0x00, 0x00, 0x00, 0x80'],
  ['66 0F B6 movzx r16, r8', '.byte 0x66, 0x0f, 0xb6, 0xc1'],
  ['lock add reg (#UD)', '.byte 0xf0, 0x01, 0xc8'],
  ['ud2', 'ud2'],
  ['nopw 0(%rax,%rax,1)', 'nopw 0(%rax,%rax,1)'],
  ['nopl 0(%rax)', 'nopl 0(%rax)'],
  ['66 2e nopw long', '.byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00'],
  ['endbr64', 'endbr64'],
  ['pause', 'pause'],
  ['lfence', 'lfence'],
  ['mfence', 'mfence'],
  ['sfence', 'sfence'],
];
for (const [name, text] of RAW) {
  add(
    'prefix',
    name,
    text,
    ['rax', 'rcx'],
    times(
      F2,
      [
        [rand(), rand()],
        [0x8000n, 0xffff_ffff_ffff_8000n],
      ] as const,
      ([x, y], f) => ({ flags: f, regs: [x, y] }),
    ),
  );
}

// ---------------------------------------------------------------- 16-bit shld/shrd with counts 16..31
// The result and OF of these are undefined by the manuals; extra random operands pin down what this
// CPU does. (Own PRNG so that adding forms here leaves every vector above unchanged.)
{
  const r2 = new SplitMix64(0x5eed_0016n);
  for (const op of ['shld', 'shrd']) {
    const cases: Case[] = [];
    for (let n = 16n; n < 32n; n++) {
      for (let k = 0; k < 6; k++) {
        cases.push({
          flags: k & 1 ? ARITH : 0n,
          regs: [r2.next(), r2.next(), (r2.next() & ~0xffn) | n],
        });
      }
    }
    add(
      'shift',
      `${op}w cl, r, r (count 16..31)`,
      `${op}w %cl, %dx, %ax`,
      ['rax', 'rdx', 'rcx'],
      cases,
    );
  }
}

// ---------------------------------------------------------------- stack, branches and %gs: operands
/** Placeholder for "this stub's branch target address" in registers and memory (see generate.ts). */
export const TARGET = 0xdead_beef_7a70_0001n;
{
  const r3 = new SplitMix64(0x5eed_57acn);
  const STACK = BASE + 0x20n; // RSP for stack forms: the middle of a 64-byte window
  const mem64 = (slots: [number, bigint][]): Uint8Array => {
    const m = r3.bytes(64);
    for (const [off, v] of slots) m.set(le(v, 8), off);
    return m;
  };
  const stackForm = (
    name: string,
    asm: string,
    inputs: Reg64[],
    regs: () => bigint[],
    slots: () => [number, bigint][] = () => [],
  ) => {
    const cases: Case[] = [];
    for (const f of F2)
      for (let k = 0; k < 3; k++) cases.push({ flags: f, regs: regs(), mem: mem64(slots()) });
    add('stack', name, asm, inputs, cases, 64);
  };
  stackForm('push r64', 'push %rax', ['rax', 'rsp'], () => [r3.next(), STACK]);
  stackForm('push r64 (REX.B)', 'push %r12', ['r12', 'rsp'], () => [r3.next(), STACK + 4n]);
  stackForm('push r16', 'pushw %ax', ['rax', 'rsp'], () => [r3.next(), STACK]);
  stackForm('push rsp', 'push %rsp', ['rsp'], () => [STACK]);
  stackForm('push imm8', 'pushq $-5', ['rsp'], () => [STACK]);
  stackForm('push imm32', 'pushq $0x12345678', ['rsp'], () => [STACK]);
  stackForm('push imm32 (negative)', 'pushq $-0x12345678', ['rsp'], () => [STACK]);
  stackForm('push imm16', 'pushw $0x1234', ['rsp'], () => [STACK]);
  stackForm('push m64', 'pushq 8(%rbx)', ['rbx', 'rsp'], () => [BASE, STACK]);
  stackForm(
    'pop r64',
    'pop %rcx',
    ['rcx', 'rsp'],
    () => [r3.next(), STACK],
    () => [[0x20, r3.next()]],
  );
  stackForm(
    'pop r64 (REX.B)',
    'pop %r13',
    ['r13', 'rsp'],
    () => [r3.next(), STACK],
    () => [[0x20, r3.next()]],
  );
  stackForm(
    'pop r16',
    'popw %cx',
    ['rcx', 'rsp'],
    () => [r3.next(), STACK],
    () => [[0x20, r3.next()]],
  );
  stackForm(
    'pop rsp',
    'pop %rsp',
    ['rsp'],
    () => [STACK],
    () => [[0x20, BASE + 0x30n]],
  );
  stackForm(
    'pop m64',
    'popq 8(%rbx)',
    ['rbx', 'rsp'],
    () => [BASE, STACK],
    () => [[0x20, r3.next()]],
  );
  stackForm(
    'leave',
    'leave',
    ['rbp', 'rsp'],
    () => [BASE + 0x30n, BASE + 0x8n],
    () => [[0x30, r3.next()]],
  );
  stackForm('enter imm16, 0', 'enter $0x20, $0', ['rbp', 'rsp'], () => [r3.next(), BASE + 0x38n]);
  stackForm('enter imm16, 1', 'enter $0x8, $1', ['rbp', 'rsp'], () => [r3.next(), BASE + 0x38n]);
  stackForm(
    'enter imm16, 2',
    'enter $0x0, $2',
    ['rbp', 'rsp'],
    () => [BASE + 0x30n, BASE + 0x38n],
    () => [[0x28, r3.next()]],
  );
  stackForm('call rel32', 'call {T}', ['rsp'], () => [STACK]);
  stackForm('call r64', 'call *%rax', ['rax', 'rsp'], () => [TARGET, STACK]);
  stackForm(
    'call m64',
    'call *8(%rbx)',
    ['rbx', 'rsp'],
    () => [BASE, STACK],
    () => [[8, TARGET]],
  );
  stackForm(
    'ret',
    'ret',
    ['rsp'],
    () => [STACK],
    () => [[0x20, TARGET]],
  );
  stackForm(
    'ret imm16',
    'ret $16',
    ['rsp'],
    () => [STACK],
    () => [[0x20, TARGET]],
  );

  add('branch', 'jmp rel8', 'jmp {T}', [], [{ flags: 0n, regs: [] }]);
  add('branch', 'jmp rel32', '{disp32} jmp {T}', [], [{ flags: ARITH, regs: [] }]);
  add('branch', 'jmp r64', 'jmp *%rax', ['rax'], [{ flags: 0n, regs: [TARGET] }]);
  add(
    'branch',
    'jmp m64',
    'jmp *8(%rbx)',
    ['rbx'],
    [{ flags: 0n, regs: [BASE], mem: memWith(TARGET, 64) }],
    32,
  );
  for (const cc of CCS) {
    add(
      'branch',
      `j${cc} rel8`,
      `j${cc} {T}`,
      [],
      flagStates.map((f) => ({ flags: f, regs: [] })),
    );
    add(
      'branch',
      `j${cc} rel32`,
      `{disp32} j${cc} {T}`,
      [],
      flagStates.filter((_, i) => i % 3 === 0).map((f) => ({ flags: f, regs: [] })),
    );
  }

  const GS: [string, string, Reg64[]][] = [
    ['mov gs:disp32, r64', 'movq %gs:8, %rax', []],
    ['mov r32, gs:disp32', 'movl %ecx, %gs:16', ['rcx']],
    ['mov gs:(base), r64', 'movq %gs:(%rbx), %rdx', ['rbx']],
    ['add r64, gs:disp', 'addq %rcx, %gs:8', ['rcx']],
    ['inc gs:disp (lock)', 'lock incl %gs:4', []],
    ['cmpxchg r64, gs:disp', 'cmpxchgq %rcx, %gs:8', ['rax', 'rcx']],
    ['mov gs:disp32, r32 (REX.R)', 'movl %gs:0x18, %r9d', []],
  ];
  for (const [name, asm, ins] of GS) {
    const cases: Case[] = [];
    for (const f of F2) {
      for (let k = 0; k < 3; k++) {
        const m = r3.bytes(32);
        const vals = ins.map((r) =>
          r === 'rbx' ? 8n : r === 'rax' && k === 0 ? le64(m, 8) : r3.next(),
        );
        cases.push({ flags: f, regs: vals, mem: m });
      }
    }
    add('segment', name, asm, ins, cases, 32);
  }
}

function le64(m: Uint8Array, off: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(m[off + i]!);
  return v;
}

// ---------------------------------------------------------------- encodings that must raise #UD
{
  const UD: [string, string][] = [
    ['lock cmp m, r (#UD: cmp is not lockable)', '.byte 0xf0, 0x39, 0x08'],
    ['lock mov m, r (#UD)', '.byte 0xf0, 0x89, 0x08'],
    ['lock bt m, r (#UD: bt is not lockable)', '.byte 0xf0, 0x0f, 0xa3, 0x08'],
    ['lea with a register operand (#UD)', '.byte 0x8d, 0xc0'],
    ['push es (#UD in 64-bit mode)', '.byte 0x06'],
    ['daa (#UD in 64-bit mode)', '.byte 0x27'],
    ['pusha (#UD in 64-bit mode)', '.byte 0x60'],
    ['opcode 82 (#UD in 64-bit mode)', '.byte 0x82, 0xc0, 0x01'],
    ['into (#UD in 64-bit mode)', '.byte 0xce'],
    ['call far (#UD in 64-bit mode)', '.byte 0x9a, 0, 0, 0, 0, 0, 0'],
  ];
  for (const [name, asm] of UD) {
    add(
      'prefix',
      name,
      asm,
      ['rax', 'rcx'],
      [
        { flags: 0n, regs: [BASE, 1n] },
        { flags: ARITH, regs: [BASE, 2n] },
      ],
    );
  }
}

// ---------------------------------------------------------------- unaligned and page-crossing memory operands
{
  const r4 = new SplitMix64(0x5eed_a11en);
  const small = (): Uint8Array => r4.bytes(32);
  const UNALIGNED: [string, string, Reg64[]][] = [
    ['addq r, m (offset 13)', 'addq %rcx, 13(%rbx)', ['rcx', 'rbx']],
    ['movl m, r (offset 7)', 'movl 7(%rbx), %eax', ['rax', 'rbx']],
    ['incw m (offset 29)', 'incw 29(%rbx)', ['rbx']],
    ['lock xaddl r, m (offset 3)', 'lock xaddl %ecx, 3(%rbx)', ['rcx', 'rbx']],
    ['movq r, m (offset 1)', 'movq %rcx, 1(%rbx)', ['rcx', 'rbx']],
  ];
  for (const [name, asm, ins] of UNALIGNED) {
    const cases: Case[] = [];
    for (const f of F2) {
      for (let k = 0; k < 3; k++) {
        cases.push({
          flags: f,
          regs: ins.map((r) => (r === 'rbx' ? BASE : r4.next())),
          mem: small(),
        });
      }
    }
    add('memory', name, asm, ins, cases, 32);
  }
  // The window's page boundary is at MEM_WINDOW + 0xf00 (MEM_BASE + 0x1000).
  const CROSS_LEN = 0xf10;
  const cross = (): Uint8Array => {
    const m = new Uint8Array(CROSS_LEN);
    m.set(r4.bytes(32), 0xef0);
    return m;
  };
  const CROSSING: [string, string, Reg64[], bigint][] = [
    ['movq m, r (crossing a page by 3)', 'movq (%rbx), %rax', ['rax', 'rbx'], 0xefdn],
    ['movq r, m (crossing a page by 5)', 'movq %rcx, (%rbx)', ['rcx', 'rbx'], 0xefbn],
    ['addl r, m (crossing a page by 1)', 'addl %ecx, (%rbx)', ['rcx', 'rbx'], 0xeffn],
    ['movw m, r (crossing a page by 1)', 'movw (%rbx), %ax', ['rax', 'rbx'], 0xeffn],
    ['lock xaddq r, m (crossing a page)', 'lock xaddq %rcx, (%rbx)', ['rcx', 'rbx'], 0xefcn],
    ['btsq r, m (bit string across a page)', 'btsq %rcx, (%rbx)', ['rcx', 'rbx'], 0xef8n],
  ];
  for (const [name, asm, ins, off] of CROSSING) {
    const cases: Case[] = [];
    for (const f of F2) {
      for (let k = 0; k < 2; k++) {
        const regs = ins.map((r) =>
          r === 'rbx' ? BASE + off : name.startsWith('bts') ? BigInt(64 + k * 37) : r4.next(),
        );
        cases.push({ flags: f, regs, mem: cross() });
      }
    }
    add('memory', name, asm, ins, cases, CROSS_LEN);
  }
}

// ---------------------------------------------------------------- moffs forms and push imm with 66 + REX.W
{
  const r5 = new SplitMix64(0x5eed_0ff5n);
  const at = MEM_WINDOW + 8n; // a data address below 4 GiB, so the 32-bit (0x67) moffs can reach it too
  const a32 = le(at, 4);
  const a64 = le(at, 8);
  const bytes = (b: Uint8Array) => Array.from(b, (x) => `0x${x.toString(16)}`).join(', ');
  const MOFFS: [string, string][] = [
    ['mov moffs64, rax (A1, REX.W)', `.byte 0x48, 0xa1, ${bytes(a64)}`],
    ['mov moffs64, eax (A1)', `.byte 0xa1, ${bytes(a64)}`],
    ['mov al, moffs64 (A2)', `.byte 0xa2, ${bytes(a64)}`],
    ['mov rax, moffs64 (A3, REX.W)', `.byte 0x48, 0xa3, ${bytes(a64)}`],
    ['addr32 mov moffs32, eax (67 A1)', `.byte 0x67, 0xa1, ${bytes(a32)}`],
    ['addr32 mov eax, moffs32 (67 A3)', `.byte 0x67, 0xa3, ${bytes(a32)}`],
    ['addr32 mov moffs32, rax (67 REX.W A1)', `.byte 0x67, 0x48, 0xa1, ${bytes(a32)}`],
  ];
  for (const [name, asm] of MOFFS) {
    const cases: Case[] = F2.map((f) => ({ flags: f, regs: [r5.next()], mem: r5.bytes(32) }));
    add('move', name, asm, ['rax'], cases, 32);
  }
  const stack = (): Case[] =>
    F2.map((f) => ({ flags: f, regs: [BASE + 0x20n], mem: r5.bytes(64) }));
  add(
    'stack',
    'push imm32 with 66 REX.W (64-bit push)',
    '.byte 0x66, 0x48, 0x68, 0x78, 0x56, 0x34, 0x92',
    ['rsp'],
    stack(),
    64,
  );
  add(
    'stack',
    'push imm8 with 66 REX.W (64-bit push)',
    '.byte 0x66, 0x48, 0x6a, 0x80',
    ['rsp'],
    stack(),
    64,
  );
  add(
    'stack',
    'push r64 with 66 REX.W (64-bit push)',
    '.byte 0x66, 0x48, 0x50',
    ['rsp'],
    stack(),
    64,
  );
}

// ---------------------------------------------------------------- %fs: operands (FS base = MEM_WINDOW)
{
  const r6 = new SplitMix64(0x5eed_0f5n);
  const FS: [string, string, Reg64[]][] = [
    ['mov fs:disp32, r64', 'movq %fs:8, %rax', []],
    ['mov r32, fs:disp32', 'movl %ecx, %fs:16', ['rcx']],
    ['add r64, fs:(base)', 'addq %rcx, %fs:(%rbx)', ['rcx', 'rbx']],
    ['inc fs:disp (lock)', 'lock incl %fs:4', []],
  ];
  for (const [name, asm, ins] of FS) {
    const cases: Case[] = [];
    for (const f of F2) {
      for (let k = 0; k < 2; k++) {
        cases.push({
          flags: f,
          regs: ins.map((r) => (r === 'rbx' ? 8n : r6.next())),
          mem: r6.bytes(32),
        });
      }
    }
    add('segment', name, asm, ins, cases, 32);
  }
}
