/** Facts read off `readelf -W` output, for cross-checking the parser. */
import { run } from './fixtures.js';

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  align: number;
}

export function readelfSections(file: string): ReadelfSection[] {
  const out: ReadelfSection[] = [];
  for (const line of run('readelf', ['-S', '-W', file]).split('\n')) {
    const m = /^\s*\[\s*(\d+)\]\s+(.*)$/.exec(line);
    if (!m || m[1] === '0') continue;
    const t = m[2]!.trim().split(/\s+/);
    const [name, type, , off, size, es] = t;
    const hasFlags = t.length === 10;
    out.push({
      index: Number(m[1]),
      name: name!,
      type: type!,
      offset: Number.parseInt(off!, 16),
      size: Number.parseInt(size!, 16),
      entsize: Number.parseInt(es!, 16),
      flags: hasFlags ? t[6]! : '',
      link: Number(t[t.length - 3]),
      info: Number(t[t.length - 2]),
      align: Number(t[t.length - 1]),
    });
  }
  return out;
}

export interface ReadelfSymbol {
  index: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  ndx: string;
  name: string;
}

export function readelfSymbols(file: string): ReadelfSymbol[] {
  const out: ReadelfSymbol[] = [];
  for (const line of run('readelf', ['-s', '-W', file]).split('\n')) {
    const m =
      /^\s*(\d+):\s+([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(
        line,
      );
    if (!m) continue;
    out.push({
      index: Number(m[1]),
      value: BigInt(`0x${m[2]}`),
      size: BigInt(m[3]!),
      type: m[4]!,
      bind: m[5]!,
      ndx: m[7]!,
      name: m[8]!,
    });
  }
  return out;
}

export interface ReadelfRelocation {
  section: string;
  offset: bigint;
  info: bigint;
  type: string;
  addend: bigint;
}

export function readelfRelocations(file: string): ReadelfRelocation[] {
  const out: ReadelfRelocation[] = [];
  let section = '';
  for (const line of run('readelf', ['-r', '-W', file]).split('\n')) {
    const h = /^Relocation section '([^']+)'/.exec(line);
    if (h) {
      section = h[1]!;
      continue;
    }
    const m = /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[4]!.trim();
    const signed = /([+-]) ([0-9a-f]+)$/.exec(rest);
    const addend = signed
      ? (signed[1] === '-' ? -1n : 1n) * BigInt(`0x${signed[2]}`)
      : /^[0-9a-f]+$/.test(rest)
        ? BigInt(`0x${rest}`)
        : 0n;
    out.push({
      section,
      offset: BigInt(`0x${m[1]}`),
      info: BigInt(`0x${m[2]}`),
      type: m[3]!,
      addend,
    });
  }
  return out;
}
