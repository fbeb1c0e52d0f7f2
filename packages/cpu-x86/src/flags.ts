/**
 * Lazy arithmetic flags. ALU instructions only record their kind, size, operands and result
 * (`CpuState.lazy`, `fa/fb/fr`); the six status flags are computed here when something reads them
 * (jcc, setcc, cmovcc, adc, pushf...). Instructions with unusual flag rules (shifts, multiplies,
 * bit scans) compute their flags eagerly and store them with `Lazy.None`.
 */
import { AF, CF, type CpuState, Lazy, OF, PF, SF, STATUS_FLAGS, ZF } from './state.js';

/** PF for each byte value: set when the number of 1 bits is even. */
export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let n = 0;
  for (let b = v; b !== 0; b >>= 1) n += b & 1;
  PARITY[v] = n % 2 === 0 ? PF : 0;
}

/** Sign bit of a size-masked value (sizes 1/2/4 in lo; 8 in hi). */
const signOf = (size: number, lo: number, hi: number): number =>
  size === 8 ? hi >>> 31 : size === 4 ? lo >>> 31 : size === 2 ? (lo >>> 15) & 1 : (lo >>> 7) & 1;

/** Unsigned a < b on size-masked operands. */
const below = (size: number, al: number, ah: number, bl: number, bh: number): boolean =>
  size === 8 ? ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0) : al >>> 0 < bl >>> 0;

/** ZF SF PF of a result. */
export function resultFlags(size: number, lo: number, hi: number): number {
  let f = PARITY[lo & 0xff]!;
  if (lo === 0 && (size !== 8 || hi === 0)) f |= ZF;
  if (signOf(size, lo, hi) !== 0) f |= SF;
  return f;
}

/** Computes the status flags from the lazy state (does not change the state). */
export function statusFlags(c: CpuState): number {
  const size = c.fsz;
  const a = c.fa;
  const ah = c.fah;
  const b = c.fb;
  const bh = c.fbh;
  const r = c.fr;
  const rh = c.frh;
  switch (c.lazy) {
    case Lazy.None:
      return c.flags & STATUS_FLAGS;
    case Lazy.Logic:
      return resultFlags(size, r, rh);
    case Lazy.Add:
    case Lazy.Adc:
    case Lazy.Inc: {
      let f = resultFlags(size, r, rh) | ((a ^ b ^ r) & AF);
      if (signOf(size, (a ^ r) & (b ^ r), (ah ^ rh) & (bh ^ rh)) !== 0) f |= OF;
      if (c.lazy === Lazy.Inc) f |= c.flags & CF;
      else if (
        below(size, r, rh, a, ah) ||
        (c.lazy === Lazy.Adc && c.fcin !== 0 && r === a && rh === ah)
      )
        f |= CF;
      return f;
    }
    case Lazy.Sub:
    case Lazy.Sbb:
    case Lazy.Dec: {
      let f = resultFlags(size, r, rh) | ((a ^ b ^ r) & AF);
      if (signOf(size, (a ^ b) & (a ^ r), (ah ^ bh) & (ah ^ rh)) !== 0) f |= OF;
      if (c.lazy === Lazy.Dec) f |= c.flags & CF;
      else if (
        below(size, a, ah, b, bh) ||
        (c.lazy === Lazy.Sbb && c.fcin !== 0 && a === b && ah === bh)
      )
        f |= CF;
      return f;
    }
  }
  return 0;
}

/** Materializes the lazy flags into `c.flags` and returns the full RFLAGS value. */
export function materialize(c: CpuState): number {
  if (c.lazy !== Lazy.None) {
    c.flags = (c.flags & ~STATUS_FLAGS) | statusFlags(c);
    c.lazy = Lazy.None;
  }
  return c.flags;
}

/** Current carry flag (0 or 1). */
export function carry(c: CpuState): number {
  switch (c.lazy) {
    case Lazy.None:
    case Lazy.Inc:
    case Lazy.Dec:
      return c.flags & CF;
    case Lazy.Logic:
      return 0;
    case Lazy.Add:
    case Lazy.Adc: {
      // Carry out of a + b (+ cin): the result wrapped below a (or equals a with a carry-in).
      const size = c.fsz;
      if (below(size, c.fr, c.frh, c.fa, c.fah)) return 1;
      return c.lazy === Lazy.Adc && c.fcin !== 0 && c.fr === c.fa && c.frh === c.fah ? 1 : 0;
    }
    default: {
      // Borrow of a - b (- cin).
      const size = c.fsz;
      if (below(size, c.fa, c.fah, c.fb, c.fbh)) return 1;
      return c.lazy === Lazy.Sbb && c.fcin !== 0 && c.fa === c.fb && c.fah === c.fbh ? 1 : 0;
    }
  }
}

/** Sets the status flags eagerly (for instructions whose flags are not lazy). */
export function setStatus(c: CpuState, status: number): void {
  c.flags = (c.flags & ~STATUS_FLAGS) | (status & STATUS_FLAGS);
  c.lazy = Lazy.None;
}

/**
 * Evaluates condition code `cc` (the low nibble of jcc/setcc/cmovcc opcodes).
 * The common cases after cmp/sub/test are answered straight from the operands.
 */
export function condition(c: CpuState, cc: number): boolean {
  const lazy = c.lazy;
  if (lazy === Lazy.Sub || lazy === Lazy.Logic) {
    const size = c.fsz;
    switch (cc) {
      case 4:
        return c.fr === 0 && c.frh === 0;
      case 5:
        return c.fr !== 0 || c.frh !== 0;
    }
    if (lazy === Lazy.Sub && size >= 4) {
      // cmp a, b: compare the operands directly.
      const a = c.fa;
      const b = c.fb;
      if (size === 4) {
        switch (cc) {
          case 2:
            return a >>> 0 < b >>> 0;
          case 3:
            return a >>> 0 >= b >>> 0;
          case 6:
            return a >>> 0 <= b >>> 0;
          case 7:
            return a >>> 0 > b >>> 0;
          case 12:
            return a < b;
          case 13:
            return a >= b;
          case 14:
            return a <= b;
          case 15:
            return a > b;
        }
      } else {
        const ah = c.fah;
        const bh = c.fbh;
        switch (cc) {
          case 2:
            return ah >>> 0 < bh >>> 0 || (ah === bh && a >>> 0 < b >>> 0);
          case 3:
            return ah >>> 0 > bh >>> 0 || (ah === bh && a >>> 0 >= b >>> 0);
          case 6:
            return ah >>> 0 < bh >>> 0 || (ah === bh && a >>> 0 <= b >>> 0);
          case 7:
            return ah >>> 0 > bh >>> 0 || (ah === bh && a >>> 0 > b >>> 0);
          case 12:
            return ah < bh || (ah === bh && a >>> 0 < b >>> 0);
          case 13:
            return ah > bh || (ah === bh && a >>> 0 >= b >>> 0);
          case 14:
            return ah < bh || (ah === bh && a >>> 0 <= b >>> 0);
          case 15:
            return ah > bh || (ah === bh && a >>> 0 > b >>> 0);
        }
      }
    }
  }
  return conditionFromFlags(lazy === Lazy.None ? c.flags : statusFlags(c), cc);
}

export function conditionFromFlags(f: number, cc: number): boolean {
  let t: boolean;
  switch (cc >> 1) {
    case 0:
      t = (f & OF) !== 0;
      break;
    case 1:
      t = (f & CF) !== 0;
      break;
    case 2:
      t = (f & ZF) !== 0;
      break;
    case 3:
      t = (f & (CF | ZF)) !== 0;
      break;
    case 4:
      t = (f & SF) !== 0;
      break;
    case 5:
      t = (f & PF) !== 0;
      break;
    case 6:
      t = ((f & SF) !== 0) !== ((f & OF) !== 0);
      break;
    default:
      t = (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0);
      break;
  }
  return (cc & 1) === 0 ? t : !t;
}
