/**
 * Block compiler: turns a hot decoded block into one JavaScript function (new Function), with
 * register numbers, sizes, immediates and branch targets baked in as constants, the kernel-window
 * memory fast path inlined, and lazy flags kept in locals so a cmp/test followed by jcc compiles to
 * one comparison. Instructions without a template here call their interpreter handler, so every
 * instruction the decoder accepts runs compiled blocks too.
 *
 * The generated function records the index of the instruction that may fault next in `c.k`
 * (memory accesses and handler calls), so faults still report the exact rip.
 */
import * as alu from './alu.js';
import * as ctl from './control.js';
import { carry, condition, materialize, PARITY } from './flags.js';
import { EaKind, type Insn } from './insn.js';
import * as mv from './move.js';
import * as md from './muldiv.js';
import * as sh from './shift.js';
import { type CpuState, Lazy } from './state.js';
import * as sys from './system.js';

/** The flag producer last compiled in this block, whose operands are in the locals A..XH. */
interface Known {
  kind: Lazy;
  size: number;
}

const TWO32 = '4294967296';
const MASK: Record<number, string> = { 1: '0xff', 2: '0xffff' };

function rlo(n: number, size: number): string {
  switch (size) {
    case 8:
    case 4:
      return `r[${n}]`;
    case 2:
      return `(r[${n}] & 0xffff)`;
    default:
      return n < 16 ? `(r[${n}] & 0xff)` : `((r[${n - 16}] >>> 8) & 0xff)`;
  }
}
const rhi = (n: number, size: number): string => (size === 8 ? `r[${n + 16}]` : '0');

function wreg(n: number, size: number, lo: string, hi: string): string {
  switch (size) {
    case 8:
      return `r[${n}] = ${lo}; r[${n + 16}] = ${hi};`;
    case 4:
      return `r[${n}] = ${lo}; r[${n + 16}] = 0;`;
    case 2:
      return `r[${n}] = (r[${n}] & -65536) | ((${lo}) & 0xffff);`;
    default:
      return n < 16
        ? `r[${n}] = (r[${n}] & -256) | ((${lo}) & 0xff);`
        : `r[${n - 16}] = (r[${n - 16}] & -65281) | (((${lo}) & 0xff) << 8);`;
  }
}

/** Statements computing the effective address of `i` into al/ah. */
function ea(i: Insn): string {
  const dl = i.dispLo;
  const dh = i.dispHi;
  let code: string;
  const xh = (x: number, s: number): string =>
    s === 0 ? `r[${x + 16}]` : `((r[${x + 16}] << ${s}) | (r[${x}] >>> ${32 - s}))`;
  switch (i.ea) {
    case EaKind.Abs:
      code = `al = ${dl}; ah = ${dh};`;
      break;
    case EaKind.Base:
      code =
        dl === 0 && dh === 0
          ? `al = r[${i.base}]; ah = r[${i.base + 16}];`
          : `s = (r[${i.base}] >>> 0) + ${dl >>> 0}; al = s | 0; ah = (r[${i.base + 16}] + ${dh} + (s >= ${TWO32} ? 1 : 0)) | 0;`;
      break;
    case EaKind.BaseIndex:
      code = `s = (r[${i.base}] >>> 0) + ${dl >>> 0} + ((r[${i.index}] << ${i.shift}) >>> 0); al = s | 0; ah = (r[${i.base + 16}] + ${dh} + ${xh(i.index, i.shift)} + Math.floor(s / ${TWO32})) | 0;`;
      break;
    default:
      code = `s = ${dl >>> 0} + ((r[${i.index}] << ${i.shift}) >>> 0); al = s | 0; ah = (${dh} + ${xh(i.index, i.shift)} + Math.floor(s / ${TWO32})) | 0;`;
      break;
  }
  if (i.addr32) code += ' ah = 0;';
  if (i.seg !== 0) {
    const b = i.seg === 1 ? 'fs' : 'gs';
    code += ` s = (al >>> 0) + (c.${b}Lo >>> 0); al = s | 0; ah = (ah + c.${b}Hi + (s >= ${TWO32} ? 1 : 0)) | 0;`;
  }
  return code;
}

/** Loads `size` bytes at al/ah into v (and vh for size 8). */
function load(size: number, v = 'v', vh = 'vh'): string {
  const fast = `ah === -1 && al < 0 && (o = al & 0x7fffffff) <= ws - ${size}`;
  switch (size) {
    case 8:
      return `if (${fast}) { ${v} = dv.getInt32(o, true); ${vh} = dv.getInt32(o + 4, true); } else { ${v} = m.load64(al, ah); ${vh} = m.hi; }`;
    case 4:
      return `${v} = ${fast} ? dv.getInt32(o, true) : m.load32(al, ah);`;
    case 2:
      return `${v} = ${fast} ? dv.getUint16(o, true) : m.load16(al, ah);`;
    default:
      return `${v} = ${fast} ? u8[o] : m.load8(al, ah);`;
  }
}

/** Stores lo/hi (simple expressions) at al/ah. */
function store(size: number, lo: string, hi: string): string {
  const fast = `ah === -1 && al < 0 && (o = al & 0x7fffffff) <= ws - ${size} && (cl[o >>> 8] | cl[(o + ${size - 1}) >>> 8]) === 0`;
  switch (size) {
    case 8:
      return `if (${fast}) { dv.setInt32(o, ${lo}, true); dv.setInt32(o + 4, ${hi}, true); } else m.store64(al, ah, ${lo}, ${hi});`;
    case 4:
      return `if (${fast}) dv.setInt32(o, ${lo}, true); else m.store32(al, ah, ${lo});`;
    case 2:
      return `if (${fast}) dv.setUint16(o, ${lo}, true); else m.store16(al, ah, (${lo}) & 0xffff);`;
    default:
      return `if (${fast}) u8[o] = ${lo}; else m.store8(al, ah, (${lo}) & 0xff);`;
  }
}

/** Reads the E operand of `i` at `size` into v/vh (vh = 0 below 64 bits). */
function readE(i: Insn, size: number, v = 'v', vh = 'vh'): string {
  if (i.ea === EaKind.Reg) return `${v} = ${rlo(i.rm, size)}; ${vh} = ${rhi(i.rm, size)};`;
  return `${ea(i)} ${load(size, v, vh)}${size === 8 ? '' : ` ${vh} = 0;`}`;
}

/** Condition `cc` as an expression, specialized when the flag producer is known. */
function cond(cc: number, known: Known | null): string {
  const generic = `cond(c, ${cc})`;
  if (known === null) return generic;
  const { kind, size } = known;
  const zf = size === 8 ? '(X | XH) === 0' : 'X === 0';
  const sf =
    size === 8
      ? 'XH < 0'
      : size === 4
        ? 'X < 0'
        : size === 2
          ? '(X & 0x8000) !== 0'
          : '(X & 0x80) !== 0';
  const neg = (e: string): string => `!(${e})`;
  if (kind === Lazy.Logic) {
    switch (cc) {
      case 0:
        return 'false';
      case 1:
        return 'true';
      case 2:
        return 'false';
      case 3:
        return 'true';
      case 4:
      case 6:
        return zf;
      case 5:
      case 7:
        return neg(zf);
      case 8:
      case 12:
        return sf;
      case 9:
      case 13:
        return neg(sf);
      case 14:
        return `(${zf}) || (${sf})`;
      case 15:
        return `!(${zf}) && !(${sf})`;
      default:
        return generic;
    }
  }
  if (kind !== Lazy.Sub) {
    if (cc === 4) return zf;
    if (cc === 5) return neg(zf);
    return generic;
  }
  if (cc === 4) return zf;
  if (cc === 5) return neg(zf);
  if (cc === 8) return sf;
  if (cc === 9) return neg(sf);
  if (size === 8) {
    const u = (op: string): string =>
      `((AH >>> 0) ${op[0]} (BH >>> 0) || (AH === BH && (A >>> 0) ${op} (B >>> 0)))`;
    const sg = (op: string): string =>
      `(AH ${op[0]} BH || (AH === BH && (A >>> 0) ${op} (B >>> 0)))`;
    switch (cc) {
      case 2:
        return u('<');
      case 3:
        return u('>=');
      case 6:
        return u('<=');
      case 7:
        return u('>');
      case 12:
        return sg('<');
      case 13:
        return sg('>=');
      case 14:
        return sg('<=');
      case 15:
        return sg('>');
      default:
        return generic;
    }
  }
  const ua = size === 4 ? '(A >>> 0)' : 'A';
  const ub = size === 4 ? '(B >>> 0)' : 'B';
  const sa = size === 4 ? 'A' : size === 2 ? '((A << 16) >> 16)' : '((A << 24) >> 24)';
  const sb = size === 4 ? 'B' : size === 2 ? '((B << 16) >> 16)' : '((B << 24) >> 24)';
  switch (cc) {
    case 2:
      return `${ua} < ${ub}`;
    case 3:
      return `${ua} >= ${ub}`;
    case 6:
      return `${ua} <= ${ub}`;
    case 7:
      return `${ua} > ${ub}`;
    case 12:
      return `${sa} < ${sb}`;
    case 13:
      return `${sa} >= ${sb}`;
    case 14:
      return `${sa} <= ${sb}`;
    case 15:
      return `${sa} > ${sb}`;
    default:
      return generic;
  }
}

/** Statements recording the lazy flags from the locals A..XH. */
const record = (kind: Lazy, size: number): string =>
  `c.lazy = ${kind}; c.fsz = ${size}; c.fa = A; c.fah = AH; c.fb = B; c.fbh = BH; c.fr = X; c.frh = XH;`;

/** Statements computing X/XH = A op B at size (op: add sub and or xor). */
function compute(op: number, size: number): string {
  const m = MASK[size];
  switch (op) {
    case alu.AluOp.Add:
      if (size === 8)
        return `s = (A >>> 0) + (B >>> 0); X = s | 0; XH = (AH + BH + (s >= ${TWO32} ? 1 : 0)) | 0;`;
      return m ? `X = (A + B) & ${m}; XH = 0;` : 'X = (A + B) | 0; XH = 0;';
    case alu.AluOp.Sub:
    case alu.AluOp.Cmp:
      if (size === 8)
        return 'X = (A - B) | 0; XH = (AH - BH - ((A >>> 0) < (B >>> 0) ? 1 : 0)) | 0;';
      return m ? `X = (A - B) & ${m}; XH = 0;` : 'X = (A - B) | 0; XH = 0;';
    case alu.AluOp.Adc:
      if (size === 8) {
        return `CF = carry(c); c.fcin = CF; s = (A >>> 0) + (B >>> 0) + CF; X = s | 0; XH = (AH + BH + (s >= ${TWO32} ? 1 : 0)) | 0;`;
      }
      return `CF = carry(c); c.fcin = CF; X = (A + B + CF) ${m ? `& ${m}` : '| 0'}; XH = 0;`;
    case alu.AluOp.Sbb:
      if (size === 8) {
        return 'CF = carry(c); c.fcin = CF; s = (A >>> 0) - (B >>> 0) - CF; X = s | 0; XH = (AH - BH - (s < 0 ? 1 : 0)) | 0;';
      }
      return `CF = carry(c); c.fcin = CF; X = (A - B - CF) ${m ? `& ${m}` : '| 0'}; XH = 0;`;
    case alu.AluOp.And:
      return 'X = A & B; XH = AH & BH;';
    case alu.AluOp.Or:
      return 'X = A | B; XH = AH | BH;';
    default:
      return 'X = A ^ B; XH = AH ^ BH;';
  }
}
const kindOf = (op: number): Lazy =>
  op === alu.AluOp.Adc
    ? Lazy.Adc
    : op === alu.AluOp.Sbb
      ? Lazy.Sbb
      : op === alu.AluOp.Add
        ? Lazy.Add
        : op === alu.AluOp.Sub || op === alu.AluOp.Cmp
          ? Lazy.Sub
          : Lazy.Logic;
const compilableAlu = (_op: number): boolean => true;

/** Code for one instruction, or undefined to call its handler. Updates `st.known`. */
function template(
  i: Insn,
  _k: number,
  st: { known: Known | null; mayFault: boolean },
): string | undefined {
  const size = i.size;
  const fn = i.fn;
  const mem = i.ea !== EaKind.Reg;
  st.mayFault = false;
  const faulting = (code: string): string => {
    st.mayFault = true;
    return code;
  };
  if (fn === mv.movRR) return wreg(i.reg, size, rlo(i.rm, size), rhi(i.rm, size));
  if (fn === mv.movGE) {
    if (!mem) return wreg(i.reg, size, rlo(i.rm, size), rhi(i.rm, size));
    return faulting(`${ea(i)} ${load(size)} ${wreg(i.reg, size, 'v', 'vh')}`);
  }
  if (fn === mv.movMG) {
    return faulting(
      `v = ${rlo(i.reg, size)}; vh = ${rhi(i.reg, size)}; ${ea(i)} ${store(size, 'v', 'vh')}`,
    );
  }
  if (fn === mv.movEI) {
    if (!mem) return wreg(i.rm, size, `${i.immLo}`, `${i.immHi}`);
    return faulting(`${ea(i)} ${store(size, `${i.immLo}`, `${i.immHi}`)}`);
  }
  if (fn === mv.lea) return `${ea(i)} ${wreg(i.reg, size, 'al', 'ah')}`;
  if (fn === mv.movzx) {
    const code = `${readE(i, i.imm2)} ${wreg(i.reg, size, 'v', '0')}`;
    return mem ? faulting(code) : code;
  }
  if (fn === mv.movsx) {
    const sx = i.imm2 === 1 ? '((v << 24) >> 24)' : '((v << 16) >> 16)';
    const code = `${readE(i, i.imm2)} v = ${sx}; ${wreg(i.reg, size, 'v', 'v >> 31')}`;
    return mem ? faulting(code) : code;
  }
  if (fn === mv.movsxd) {
    const code = `${readE(i, 4)} ${wreg(i.reg, 8, 'v', 'v >> 31')}`;
    return mem ? faulting(code) : code;
  }
  if (fn === mv.cbw && size !== 2)
    return size === 4 ? 'r[0] = (r[0] << 16) >> 16; r[16] = 0;' : 'r[16] = r[0] >> 31;';
  if (fn === mv.cwd && size !== 2) {
    return size === 4 ? 'r[2] = r[0] >> 31; r[18] = 0;' : 'r[2] = r[16] >> 31; r[18] = r[2];';
  }
  if (fn === sys.nop) return '';
  const aluForms = [
    alu.aluEG,
    alu.aluGE,
    alu.aluEI,
    alu.cmpEG,
    alu.cmpGE,
    alu.cmpEI,
    alu.testEG,
    alu.testEI,
  ];
  if (aluForms.includes(fn)) {
    const op =
      fn === alu.testEG || fn === alu.testEI
        ? alu.AluOp.And
        : fn === alu.cmpEG || fn === alu.cmpGE || fn === alu.cmpEI
          ? alu.AluOp.Cmp
          : i.op;
    if (!compilableAlu(op)) return undefined;
    const writes = op !== alu.AluOp.Cmp && fn !== alu.testEG && fn !== alu.testEI;
    let code: string;
    const imm = fn === alu.aluEI || fn === alu.cmpEI || fn === alu.testEI;
    const gDest = fn === alu.aluGE || fn === alu.cmpGE;
    // xor/sub r, r: the zeroing idiom.
    if (
      !mem &&
      !imm &&
      i.reg === i.rm &&
      (op === alu.AluOp.Xor || op === alu.AluOp.Sub) &&
      size >= 4
    ) {
      st.known = { kind: kindOf(op), size };
      return `A = r[${i.reg}]; AH = ${rhi(i.reg, size)}; B = A; BH = AH; X = 0; XH = 0; ${record(kindOf(op), size)} ${wreg(i.reg, size, '0', '0')}`;
    }
    const eRead = readE(i, size, 'v', 'vh');
    if (imm) code = `${eRead} A = v; AH = vh; B = ${i.immLo}; BH = ${size === 8 ? i.immHi : 0};`;
    else if (gDest)
      code = `${eRead} B = v; BH = vh; A = ${rlo(i.reg, size)}; AH = ${rhi(i.reg, size)};`;
    else code = `${eRead} A = v; AH = vh; B = ${rlo(i.reg, size)}; BH = ${rhi(i.reg, size)};`;
    code += ` ${compute(op, size)} ${record(kindOf(op), size)}`;
    if (writes) {
      if (gDest) code += ` ${wreg(i.reg, size, 'X', 'XH')}`;
      else if (!mem) code += ` ${wreg(i.rm, size, 'X', 'XH')}`;
      else code += ` ${store(size, 'X', 'XH')}`; // al/ah still hold the address
    }
    st.known = { kind: kindOf(op), size };
    return mem ? faulting(code) : code;
  }
  if ((fn === alu.incE || fn === alu.decE) && !mem && size >= 4) {
    const dec = fn === alu.decE;
    const n = i.rm;
    let code = `c.flags = (c.flags & -2) | carry(c); A = r[${n}]; AH = ${rhi(n, size)}; B = 1; BH = 0;`;
    if (size === 8) {
      code += dec
        ? ' X = (A - 1) | 0; XH = A === 0 ? (AH - 1) | 0 : AH;'
        : ' X = (A + 1) | 0; XH = A === -1 ? (AH + 1) | 0 : AH;';
    } else code += dec ? ' X = (A - 1) | 0; XH = 0;' : ' X = (A + 1) | 0; XH = 0;';
    const kind = dec ? Lazy.Dec : Lazy.Inc;
    st.known = { kind, size };
    return `${code} ${record(kind, size)} ${wreg(n, size, 'X', 'XH')}`;
  }
  if (fn === ctl.pushR && size === 8) {
    return faulting(
      `v = r[${i.reg}]; vh = r[${i.reg + 16}]; s = r[4]; al = (s - 8) | 0; ah = ((s >>> 0) < 8 ? r[20] - 1 : r[20]) | 0; ${store(8, 'v', 'vh')} r[4] = al; r[20] = ah;`,
    );
  }
  if (fn === ctl.popR && size === 8) {
    return faulting(
      `al = r[4]; ah = r[20]; ${load(8)} s = (al >>> 0) + 8; r[4] = s | 0; r[20] = s >= ${TWO32} ? (ah + 1) | 0 : ah; ${wreg(i.reg, 8, 'v', 'vh')}`,
    );
  }
  if (fn === ctl.callRel) {
    return faulting(
      `s = r[4]; al = (s - 8) | 0; ah = ((s >>> 0) < 8 ? r[20] - 1 : r[20]) | 0; ${store(8, `${i.nextLo}`, `${i.nextHi}`)} r[4] = al; r[20] = ah; c.ripLo = ${i.targetLo}; c.ripHi = ${i.targetHi};`,
    );
  }
  if (fn === ctl.ret && i.immLo === 0 && size === 8) {
    return faulting(
      `al = r[4]; ah = r[20]; ${load(8)} s = (al >>> 0) + 8; r[4] = s | 0; r[20] = s >= ${TWO32} ? (ah + 1) | 0 : ah; c.ripLo = v; c.ripHi = vh;`,
    );
  }
  if (fn === ctl.jmpRel) return `c.ripLo = ${i.targetLo}; c.ripHi = ${i.targetHi};`;
  if (fn === ctl.jcc)
    return `if (${cond(i.op, st.known)}) { c.ripLo = ${i.targetLo}; c.ripHi = ${i.targetHi}; }`;
  if (fn === mv.setcc && !mem) return wreg(i.rm, 1, `(${cond(i.op, st.known)}) ? 1 : 0`, '0');
  if (fn === mv.cmov) {
    const code = `${readE(i, size)} if (${cond(i.op, st.known)}) { ${wreg(i.reg, size, 'v', 'vh')} }${size === 4 ? ` else r[${i.reg + 16}] = 0;` : ''}`;
    return mem ? faulting(code) : code;
  }
  if (
    fn === sh.shiftCL &&
    !mem &&
    (size === 4 || size === 8) &&
    (i.op === 4 || i.op === 5 || i.op === 7)
  ) {
    const reg = i.rm;
    const op = i.op;
    let code: string;
    if (size === 4) {
      const body =
        op === 4
          ? 'X = v << n; CF = (v >>> (32 - n)) & 1; OF = (X >>> 31) ^ CF;'
          : op === 5
            ? 'X = (v >>> n) | 0; CF = (v >>> (n - 1)) & 1; OF = n === 1 ? v >>> 31 : 0;'
            : 'X = v >> n; CF = (v >> (n - 1)) & 1; OF = 0;';
      code = `s = r[1] & 31; v = r[${reg}]; if (s !== 0) { const n = s; ${body} XH = 0; r[${reg}] = X; c.flags = (c.flags & ~0x8d5) | P[X & 0xff] | 0x10 | CF | (OF << 11) | (X < 0 ? 0x80 : 0) | (X === 0 ? 0x40 : 0); c.lazy = 0; } r[${reg + 16}] = 0;`;
    } else {
      const body =
        op === 4
          ? 'if (n < 32) { XH = (vh << n) | (v >>> (32 - n)); X = v << n; CF = (vh >>> (32 - n)) & 1; } else { XH = v << (n - 32); X = 0; CF = n === 32 ? vh & 1 : (v >>> (64 - n)) & 1; } OF = (XH >>> 31) ^ CF;'
          : op === 5
            ? 'if (n < 32) { X = (v >>> n) | (vh << (32 - n)); XH = (vh >>> n) | 0; CF = (v >>> (n - 1)) & 1; } else { X = (vh >>> (n - 32)) | 0; XH = 0; CF = n === 32 ? v >>> 31 : (vh >>> (n - 33)) & 1; } OF = n === 1 ? vh >>> 31 : 0;'
            : 'if (n < 32) { X = (v >>> n) | (vh << (32 - n)); XH = vh >> n; CF = (v >>> (n - 1)) & 1; } else { X = vh >> (n - 32); XH = vh >> 31; CF = n === 32 ? v >>> 31 : (vh >>> (n - 33)) & 1; } OF = 0;';
      code = `s = r[1] & 63; if (s !== 0) { const n = s; v = r[${reg}]; vh = r[${reg + 16}]; ${body} r[${reg}] = X; r[${reg + 16}] = XH; c.flags = (c.flags & ~0x8d5) | P[X & 0xff] | 0x10 | CF | (OF << 11) | (XH < 0 ? 0x80 : 0) | ((X | XH) === 0 ? 0x40 : 0); c.lazy = 0; }`;
    }
    // A zero count leaves the flags (and the lazy state) alone, so the producer stays unknown here.
    st.known = null;
    return code;
  }
  if (fn === sh.shiftImm && !mem && (size === 4 || size === 8) && i.op < 2) {
    // rol/ror by a constant: only CF and OF change.
    const reg = i.rm;
    const n = i.imm2 & (size === 8 ? 63 : 31);
    if (n === 0) return size === 4 ? `r[${reg + 16}] = 0;` : '';
    let m = i.op === 0 ? n : size * 8 - n;
    let code: string;
    if (size === 4) {
      code = `v = r[${reg}]; X = (v << ${m}) | (v >>> ${32 - m}); XH = 0; ${wreg(reg, 4, 'X', '0')}`;
    } else {
      let l = 'v';
      let h = 'vh';
      if (m >= 32) {
        l = 'vh';
        h = 'v';
        m -= 32;
      }
      code =
        m === 0
          ? `v = r[${reg}]; vh = r[${reg + 16}]; X = ${l}; XH = ${h};`
          : `v = r[${reg}]; vh = r[${reg + 16}]; X = (${l} << ${m}) | (${h} >>> ${32 - m}); XH = (${h} << ${m}) | (${l} >>> ${32 - m});`;
      code += ` ${wreg(reg, 8, 'X', 'XH')}`;
    }
    const top = size === 8 ? 'XH' : 'X';
    code +=
      i.op === 0
        ? ` CF = X & 1; OF = (${top} >>> 31) ^ CF;`
        : ` CF = ${top} >>> 31; OF = CF ^ ((${top} >>> 30) & 1);`;
    code += ' c.flags = (materialize(c) & ~0x801) | CF | (OF << 11);';
    st.known = null;
    return code;
  }
  if (
    fn === sh.shiftImm &&
    !mem &&
    (size === 4 || size === 8) &&
    (i.op === 4 || i.op === 5 || i.op === 7)
  ) {
    const n = i.imm2 & (size === 8 ? 63 : 31);
    const reg = i.rm;
    if (n === 0) return size === 4 ? `r[${reg + 16}] = 0;` : '';
    let code: string;
    if (size === 4) {
      if (i.op === 4)
        code = `v = r[${reg}]; X = v << ${n}; CF = (v >>> ${32 - n}) & 1; OF = (X >>> 31) ^ CF;`;
      else if (i.op === 5)
        code = `v = r[${reg}]; X = v >>> ${n}; CF = (v >>> ${n - 1}) & 1; OF = ${n === 1 ? 'v >>> 31' : '0'};`;
      else code = `v = r[${reg}]; X = v >> ${n}; CF = (v >> ${n - 1}) & 1; OF = 0;`;
      code += ` XH = 0; ${wreg(reg, 4, 'X', '0')}`;
    } else {
      code = `v = r[${reg}]; vh = r[${reg + 16}];`;
      if (i.op === 4) {
        code +=
          n < 32
            ? ` XH = (vh << ${n}) | (v >>> ${32 - n}); X = v << ${n}; CF = (vh >>> ${32 - n}) & 1;`
            : ` XH = v << ${n - 32}; X = 0; CF = ${n === 32 ? 'vh & 1' : `(v >>> ${64 - n}) & 1`};`;
        code += ' OF = (XH >>> 31) ^ CF;';
      } else {
        const ar = i.op === 7;
        if (n < 32) {
          code += ` X = (v >>> ${n}) | (vh << ${32 - n}); XH = vh ${ar ? '>>' : '>>>'} ${n}; CF = (v >>> ${n - 1}) & 1;`;
        } else {
          code += ` X = ${ar ? `vh >> ${n - 32}` : n === 32 ? 'vh' : `vh >>> ${n - 32}`}; XH = ${ar ? 'vh >> 31' : '0'}; CF = ${n === 32 ? 'v >>> 31' : `(vh >>> ${n - 33}) & 1`};`;
        }
        code += ` OF = ${!ar && n === 1 ? 'vh >>> 31' : '0'};`;
      }
      code += ` ${wreg(reg, 8, 'X', 'XH')}`;
    }
    const sign = size === 8 ? 'XH' : 'X';
    code += ` c.flags = (c.flags & ~0x8d5) | P[X & 0xff] | 0x10 | (CF ? 1 : 0) | (OF ? 0x800 : 0) | (${sign} < 0 ? 0x80 : 0) | (${size === 8 ? '(X | XH)' : 'X'} === 0 ? 0x40 : 0); c.lazy = 0;`;
    st.known = null;
    return code;
  }
  if ((fn === md.imulGE || fn === md.imulGEI) && size === 8) {
    const b =
      fn === md.imulGEI
        ? `B = ${i.immLo}; BH = ${i.immHi};`
        : `B = r[${i.reg}]; BH = r[${i.reg + 16}];`;
    const code = `${readE(i, 8)} A = v; AH = vh; ${b} X = Math.imul(A, B); XH = (mulhu(A, B) + Math.imul(A, BH) + Math.imul(AH, B)) | 0; c.flags = (materialize(c) & ~0x801) | (imul64Overflows(A, AH, B, BH) ? 0x801 : 0); ${wreg(i.reg, 8, 'X', 'XH')}`;
    st.known = null;
    return mem ? faulting(code) : code;
  }
  if (fn === ctl.callE) {
    return faulting(
      `${readE(i, 8)} s = r[4]; al = (s - 8) | 0; ah = ((s >>> 0) < 8 ? r[20] - 1 : r[20]) | 0; A = v; AH = vh; ${store(8, `${i.nextLo}`, `${i.nextHi}`)} r[4] = al; r[20] = ah; c.ripLo = A; c.ripHi = AH;`,
    );
  }
  if (fn === ctl.jmpE) {
    const code = `${readE(i, 8)} c.ripLo = v; c.ripHi = vh;`;
    return mem ? faulting(code) : code;
  }
  if (fn === ctl.leave && size === 8) {
    return faulting(
      `al = r[5]; ah = r[21]; ${load(8)} s = (al >>> 0) + 8; r[4] = s | 0; r[20] = s >= ${TWO32} ? (ah + 1) | 0 : ah; r[5] = v; r[21] = vh;`,
    );
  }
  if (fn === alu.notE && !mem) {
    const m = MASK[size];
    return wreg(i.rm, size, m ? `~${rlo(i.rm, size)} & ${m}` : `~r[${i.rm}]`, `~r[${i.rm + 16}]`);
  }
  if (fn === alu.negE && !mem && size >= 4) {
    st.known = { kind: Lazy.Sub, size };
    const x =
      size === 8
        ? 'X = (0 - B) | 0; XH = (0 - BH - (B !== 0 ? 1 : 0)) | 0;'
        : 'X = (0 - B) | 0; XH = 0;';
    return `A = 0; AH = 0; B = r[${i.rm}]; BH = ${rhi(i.rm, size)}; ${x} ${record(Lazy.Sub, size)} ${wreg(i.rm, size, 'X', 'XH')}`;
  }
  if (fn === mv.bswap && size >= 4) {
    const sw = (e: string): string =>
      `(((${e} & 0xff) << 24) | ((${e} & 0xff00) << 8) | ((${e} >>> 8) & 0xff00) | (${e} >>> 24))`;
    return size === 8
      ? `v = r[${i.reg}]; vh = r[${i.reg + 16}]; r[${i.reg}] = ${sw('vh')}; r[${i.reg + 16}] = ${sw('v')};`
      : `v = r[${i.reg}]; r[${i.reg}] = ${sw('v')}; r[${i.reg + 16}] = 0;`;
  }
  if ((fn === md.imulGE || fn === md.imulGEI) && size === 4) {
    const b = fn === md.imulGEI ? `${i.immLo}` : `r[${i.reg}]`;
    const code = `${readE(i, 4)} B = ${b}; X = Math.imul(v, B); s = v * B; c.flags = (materialize(c) & ~0x801) | (s < -2147483648 || s > 2147483647 ? 0x801 : 0); ${wreg(i.reg, 4, 'X', '0')}`;
    st.known = null;
    return mem ? faulting(code) : code;
  }
  return undefined;
}

/**
 * The regions' way out to host functions: `hostCall(c)` runs `c.hostCallInline()` through a
 * mutable slot whose call site has seen several targets, so V8 cannot inline the host-call path
 * (exception handling, result conversion, `ret`) into each region it optimizes: that would grow
 * every region's optimizing compile, which is what limits how much code is worth compiling.
 */
const exits = { hostCall: (_c: CpuState): boolean => false };
function hostCall(c: CpuState): boolean {
  return exits.hostCall(c);
}
for (const f of [(_c: CpuState) => false, (_c: CpuState) => true]) {
  exits.hostCall = f;
  hostCall(undefined as unknown as CpuState);
}
exits.hostCall = (c) => c.hostCallInline();

/** Instructions whose handlers leave the arithmetic flags alone (the known producer survives). */
const KEEPS_FLAGS = new Set<unknown>([
  mv.movRR,
  mv.movGE,
  mv.movMG,
  mv.movEI,
  mv.lea,
  mv.movzx,
  mv.movsx,
  mv.movsxd,
  mv.xchg,
  mv.bswap,
  mv.cbw,
  mv.cwd,
  mv.setcc,
  mv.cmov,
  ctl.pushR,
  ctl.popR,
  ctl.pushI,
  ctl.pushE,
  ctl.popE,
  ctl.leave,
  sys.nop,
]);

/**
 * A compiled region: hot blocks that flow into each other, run by one function. It runs from block
 * `entry` until control leaves the region, a budget check fails or c.stop is set. `V` are the
 * calling Cpu's Block objects for the region's blocks (in compile order): the function tests
 * `V[i].valid` before entering block i, so one function serves every Cpu whose memory holds the
 * same bytes at the same addresses, each with its own invalidation (see code-share.ts).
 */
export type RegionFn = (c: CpuState, entry: number, V: readonly RegionBlock[]) => void;

/** The parts of a Block the compiler needs (block-cache.ts owns the class). */
export interface RegionBlock {
  readonly insns: readonly Insn[];
  readonly n: number;
  readonly startLo: number;
  readonly startHi: number;
  readonly endLo: number;
  readonly endHi: number;
  readonly valid: boolean;
}

/** Statements executing one block's instructions (block index b in the region). */
function blockBody(insns: readonly Insn[], b: number): string {
  const st: { known: Known | null; mayFault: boolean } = { known: null, mayFault: false };
  const body: string[] = [];
  insns.forEach((i, k) => {
    const code = template(i, k, st);
    if (code === undefined) {
      body.push(`c.k = ${k}; I${b}[${k}].fn(c, I${b}[${k}]);`);
      if (!KEEPS_FLAGS.has(i.fn)) st.known = null;
    } else {
      body.push(st.mayFault ? `c.k = ${k}; ${code}` : code);
    }
  });
  return body.join('\n        ');
}

/**
 * Compiles a region into one function. It loops over a switch on the block index, so a guest loop
 * inside the region is a JavaScript loop (V8 optimizes it quickly via on-stack replacement), and
 * leaving the region returns to the Cpu's run loop — except into a host function, which runs from
 * the region (`c.hostCallInline()`), so a loop calling a hypercall stays in the region. Each block does its own budget accounting and
 * records its index in `c.blk` (and the faulting instruction in `c.k`) for fault reports.
 */
export function compileRegion(blocks: readonly RegionBlock[]): RegionFn {
  const cases: string[] = [];
  const entries = new Map<number, string[]>();
  blocks.forEach((b, idx) => {
    cases.push(`      case ${idx}:
        if (c.budget < ${b.n}) return;
        c.budget -= ${b.n}; c.blockBase = c.instructionsRetired; c.instructionsRetired += ${b.n}; c.blk = ${idx};
        if ((c.sampleLeft -= ${b.n}) <= 0) c.sample(${b.startLo}, ${b.startHi});
        c.ripLo = ${b.endLo}; c.ripHi = ${b.endHi};
        ${blockBody(b.insns, idx)}
        break;`);
    const list = entries.get(b.startLo) ?? [];
    list.push(`if (c.ripHi === ${b.startHi} && V[${idx}].valid) { pc = ${idx}; continue next; }`);
    entries.set(b.startLo, list);
  });
  const dispatch = [...entries.entries()]
    .map(([lo, list]) => `        case ${lo}: ${list.join(' ')} break;`)
    .join('\n');
  const names = blocks.map((_, idx) => `I${idx}`);
  const src = `return function region(c, pc, V) {
  const r = c.r, m = c.memory, dv = m.dv, u8 = m.u8, cl = m.codeLines, ws = m.windowSize;
  let o = 0, s = 0, al = 0, ah = 0, v = 0, vh = 0, A = 0, AH = 0, B = 0, BH = 0, X = 0, XH = 0, CF = 0, OF = 0;
  next: for (;;) {
    switch (pc) {
${cases.join('\n')}
      default:
        return;
    }
    for (;;) {
      if (c.stop !== 0) return;
      switch (c.ripLo) {
${dispatch}
      }
      // Not a block of this region: a host function's trap runs here (then the region goes on
      // at its return address), anything else — the return-to-host trap at offset 0 of the trap
      // area included — returns to the run loop.
      if (c.ripHi !== c.trapHi || ((c.ripLo - c.trapLo - 1) >>> 0) >= c.trapBytes - 1 || !hostCall(c)) return;
      // A host function that grew the window (kmem_alloc) replaced the backing store and code map
      // this region holds: leave, the run loop re-enters it with the new ones.
      if (m.u8 !== u8) return;
    }
  }
};`;
  // The decoded instructions (I0, I1...) are bound here: they depend only on the code bytes and
  // their addresses, so they are as shareable as the generated source.
  const deps = ['cond', 'carry', 'materialize', 'P', 'mulhu', 'imul64Overflows', 'hostCall'];
  const factory = new Function(...deps, ...names, src) as (...deps: unknown[]) => RegionFn;
  return factory(
    condition,
    carry,
    materialize,
    PARITY,
    md.mulhu,
    md.imul64Overflows,
    hostCall,
    ...blocks.map((b) => b.insns),
  );
}
