/**
 * The synthetic CPU that `cpuid` describes. It is deliberately plain so that guest code takes its
 * generic paths: vendor "RumpEmulated", family 6 model 0, long mode, cmov, cx8, cx16, popcnt,
 * lahf/sahf and lzcnt; no SSE, x87, AVX, or virtualization. Every other leaf is zero.
 */

const VENDOR = 'RumpEmulated';
const BRAND = 'Rump x86-64 integer emulator';

function word(s: string, at: number): number {
  let v = 0;
  for (let k = 3; k >= 0; k--) v = (v << 8) | (s.charCodeAt(at + k) || 0);
  return v | 0;
}

/** Returns [eax, ebx, ecx, edx] for a leaf/subleaf (int32 values). */
export function cpuidLeaf(leaf: number, _subleaf: number): [number, number, number, number] {
  switch (leaf >>> 0) {
    case 0:
      return [1, word(VENDOR, 0), word(VENDOR, 8), word(VENDOR, 4)];
    case 1:
      // eax: family 6, model 0, stepping 0. ecx: CX16 (13), POPCNT (23). edx: TSC (4), CX8 (8), CMOV (15), CLFSH (19).
      return [
        0x600,
        0x00010800,
        (1 << 13) | (1 << 23),
        (1 << 4) | (1 << 8) | (1 << 15) | (1 << 19),
      ];
    case 0x80000000:
      return [0x80000008 | 0, 0, 0, 0];
    case 0x80000001:
      // ecx: LAHF/SAHF (0), LZCNT (5). edx: NX (20), LM (29).
      return [0, 0, 1 | (1 << 5), (1 << 20) | (1 << 29)];
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const at = ((leaf >>> 0) - 0x80000002) * 16;
      const s = BRAND.padEnd(48, '\0');
      return [word(s, at), word(s, at + 4), word(s, at + 8), word(s, at + 12)];
    }
    case 0x80000008:
      return [0x3030, 0, 0, 0];
    default:
      return [0, 0, 0, 0];
  }
}
