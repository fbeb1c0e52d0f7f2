/** Computing, range-checking and storing one x86-64 relocation value (little-endian fields). */
import type { RelocationType } from './relocation-types.js';

/** The inputs of the psABI formulas; see relocation-types.ts. Unused ones may be 0n. */
export interface RelocationInputs {
  S: bigint;
  A: bigint;
  P: bigint;
  B: bigint;
  G: bigint;
  GOT: bigint;
  Z: bigint;
}

export function relocationValue(rt: RelocationType, x: RelocationInputs): bigint {
  switch (rt.formula) {
    case 'none':
      return 0n;
    case 'S+A':
      return x.S + x.A;
    case 'S':
      return x.S;
    case 'S+A-P':
      return x.S + x.A - x.P;
    case 'B+A':
      return x.B + x.A;
    case 'G+GOT+A-P':
      return x.G + x.GOT + x.A - x.P;
    case 'G+A':
      return x.G + x.A;
    case 'S+A-GOT':
      return x.S + x.A - x.GOT;
    case 'GOT+A-P':
      return x.GOT + x.A - x.P;
    case 'Z+A':
      return x.Z + x.A;
  }
}

/**
 * Whether `value` fits the type's field. Addresses are unsigned 64-bit, so a kernel address
 * such as 0xffffffff80001000 is first read as the signed -0x7ffff000 that a 32S field holds.
 */
export function fitsField(rt: RelocationType, value: bigint): boolean {
  const bits = rt.size * 8;
  switch (rt.check) {
    case 'none':
      return true;
    case 'signed': {
      const v = BigInt.asIntN(64, value);
      const half = 1n << BigInt(bits - 1);
      return v >= -half && v < half;
    }
    case 'unsigned':
      return BigInt.asUintN(64, value) < 1n << BigInt(bits);
    case 'bitfield': {
      const v = BigInt.asIntN(64, value);
      return v >= -(1n << BigInt(bits - 1)) && v < 1n << BigInt(bits);
    }
  }
}

/** Stores the low `rt.size` bytes of `value` at `offset`. */
export function storeField(
  view: DataView,
  offset: number,
  rt: RelocationType,
  value: bigint,
): void {
  switch (rt.size) {
    case 8:
      view.setBigUint64(offset, BigInt.asUintN(64, value), true);
      return;
    case 4:
      view.setUint32(offset, Number(BigInt.asUintN(32, value)), true);
      return;
    case 2:
      view.setUint16(offset, Number(BigInt.asUintN(16, value)), true);
      return;
    case 1:
      view.setUint8(offset, Number(BigInt.asUintN(8, value)));
      return;
    case 0:
      return;
  }
}

/** The addend of an SHT_REL entry: the field's current contents, zero-extended for unsigned fields. */
export function implicitAddend(view: DataView, offset: number, rt: RelocationType): bigint {
  const unsigned = rt.check === 'unsigned';
  switch (rt.size) {
    case 8:
      return view.getBigInt64(offset, true);
    case 4:
      return BigInt(unsigned ? view.getUint32(offset, true) : view.getInt32(offset, true));
    case 2:
      return BigInt(unsigned ? view.getUint16(offset, true) : view.getInt16(offset, true));
    case 1:
      return BigInt(unsigned ? view.getUint8(offset) : view.getInt8(offset));
    case 0:
      return 0n;
  }
}
