/**
 * Writes the C view of the ABI layouts: tools/test-modules/include/netbsd_abi.h, the header the
 * project's own test modules compile against. Every struct gets explicit padding and
 * _Static_assert(offsetof/sizeof) lines, so a module that compiles agrees with the TypeScript
 * layouts by construction.
 *
 *   pnpm exec tsx scripts/netbsd-abi-header.ts           rewrite the header
 *   pnpm exec tsx scripts/netbsd-abi-header.ts --check   exit 1 when the committed header is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AGGREGATE_TYPEDEFS,
  type Field,
  POINTER_TYPEDEFS,
  type StructMeta,
  structFields,
  typeKind,
} from '../src/abi/layout.js';
import { constants, netbsd_10_99, VOP_NAMES } from '../src/abi/netbsd-10.99/index.js';

export const HEADER_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'tools',
  'test-modules',
  'include',
  'netbsd_abi.h',
);

/** Structs netbsd_module.h already defines. */
const DEFINED_ELSEWHERE = new Set(['modinfo']);

const intType = (size: number, signed: boolean) => {
  const bits = size * 8;
  if (![8, 16, 32, 64].includes(bits)) return undefined;
  return `${signed ? '' : 'u'}int${bits}_t`;
};

function strip(ctype: string): string {
  return ctype.replace(/\b(const|volatile)\s+/g, '').trim();
}

export function generateHeader(): string {
  const structs = (Object.values(netbsd_10_99.structs) as StructMeta[]).filter(
    (s) => !DEFINED_ELSEWHERE.has(s.$name),
  );
  const known = new Set(structs.map((s) => s.$name));
  known.add('modinfo');

  /** The C name of a struct type string, when we define that struct. */
  const structName = (ctype: string): string | undefined => {
    const t = strip(ctype);
    const m = /^struct (\w+)$/.exec(t);
    if (m && known.has(m[1]!)) return m[1];
    const td = AGGREGATE_TYPEDEFS.get(t);
    return td && known.has(td) ? td : undefined;
  };

  const pointerType = (ctype: string): string => {
    const t = strip(ctype);
    const td = POINTER_TYPEDEFS.get(t);
    if (td !== undefined) return td && known.has(td) ? `struct ${td} *` : 'void *';
    const m = /^(.*?)\s*(\*(?:\s*\*)*)$/.exec(t)!;
    const stars = m[2]!.replace(/\s/g, '');
    const base = m[1]!;
    if (base === 'char') return `${ctype.includes('const char') ? 'const ' : ''}char ${stars}`;
    const sm = /^struct (\w+)$/.exec(base);
    if (sm && known.has(sm[1]!)) return `struct ${sm[1]} ${stars}`;
    return stars.length > 1 ? 'void **' : 'void *';
  };

  const deps = new Map<string, Set<string>>();

  const decl = (name: string, fld: Field, indent: string, owner: string): string => {
    const t = strip(fld.ctype);
    switch (typeKind(fld.ctype)) {
      case 'bool':
        return `${indent}_Bool ${name};\n`;
      case 'int':
      case 'uint': {
        if (t === 'char' && fld.size === 1) return `${indent}char ${name};\n`;
        const it = intType(fld.size, typeKind(fld.ctype) === 'int');
        return it ? `${indent}${it} ${name};\n` : `${indent}uint8_t ${name}[${fld.size}];\n`;
      }
      case 'ptr':
        return `${indent}${pointerType(fld.ctype)}${pointerType(fld.ctype).endsWith('*') ? '' : ' '}${name};\n`;
      case 'fnptr':
        return `${indent}void *${name};\n`;
      case 'array': {
        const am = /^(.*)\[(\d+)\]$/.exec(t)!;
        const elem = am[1]!.trim();
        const count = Number(am[2]);
        const esize = fld.size / count;
        if (elem === 'char') return `${indent}char ${name}[${count}];\n`;
        const ek = typeKind(elem);
        if (ek === 'int' || ek === 'uint') {
          const it = intType(esize, ek === 'int');
          if (it) return `${indent}${it} ${name}[${count}];\n`;
        }
        if (ek === 'ptr' && esize === 8) return `${indent}void *${name}[${count}];\n`;
        return `${indent}uint8_t ${name}[${fld.size}];\n`;
      }
      case 'aggregate': {
        if (fld.m && /<anon>/.test(t)) {
          const kw = t.startsWith('union') ? 'union' : 'struct';
          return `${indent}${kw} {\n${body(Object.entries(fld.m), fld.offset, fld.size, kw, `${indent}\t`, owner)}${indent}} ${name};\n`;
        }
        const sn = structName(fld.ctype);
        if (sn) {
          deps.get(owner)!.add(sn);
          return `${indent}struct ${sn} ${name};\n`;
        }
        return `${indent}uint8_t ${name}[${fld.size}];\n`;
      }
    }
  };

  /** Members laid out from `base`, with explicit padding; overlapping members share an anonymous union. */
  const body = (
    members: [string, Field][],
    base: number,
    size: number,
    kind: 'struct' | 'union',
    indent: string,
    owner: string,
  ): string => {
    const list = members.filter(([, f]) => !f.bits).sort((a, b) => a[1].offset - b[1].offset);
    if (kind === 'union') {
      return list
        .map(([n, f]) =>
          f.offset === base
            ? decl(n, f, indent, owner)
            : `${indent}struct {\n${indent}\tuint8_t __pad[${f.offset - base}];\n${decl(n, f, `${indent}\t`, owner)}${indent}};\n`,
        )
        .join('');
    }
    let out = '';
    let at = base;
    let i = 0;
    while (i < list.length) {
      const [, first] = list[i]!;
      let end = first.offset + first.size;
      let j = i + 1;
      while (j < list.length && list[j]![1].offset < end) {
        end = Math.max(end, list[j]![1].offset + list[j]![1].size);
        j++;
      }
      if (first.offset > at) out += `${indent}uint8_t __pad_${at}[${first.offset - at}];\n`;
      if (first.offset < at) throw new Error(`${owner}: members overlap at ${first.offset}`);
      if (j - i === 1) out += decl(list[i]![0], first, indent, owner);
      else {
        out += `${indent}union {\n${body(list.slice(i, j), first.offset, end - first.offset, 'union', `${indent}\t`, owner)}${indent}};\n`;
      }
      at = end;
      i = j;
    }
    if (at < base + size) out += `${indent}uint8_t __pad_${at}[${base + size - at}];\n`;
    return out;
  };

  const defs = new Map<string, string>();
  for (const s of structs) {
    deps.set(s.$name, new Set());
    let d = `struct ${s.$name} {\n${body(structFields(s), 0, s.$size, s.$kind, '\t', s.$name)}};\n`;
    d += `_Static_assert(sizeof(struct ${s.$name}) == ${s.$size}, "sizeof(struct ${s.$name})");\n`;
    for (const [n, f] of structFields(s)) {
      if (f.bits) continue;
      d += `_Static_assert(__builtin_offsetof(struct ${s.$name}, ${n}) == ${f.offset}, "${s.$name}.${n}");\n`;
    }
    defs.set(s.$name, d);
  }

  // Structs embedded by value must be defined first.
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (n: string) => {
    if (order.includes(n) || !defs.has(n)) return;
    if (visiting.has(n)) throw new Error(`struct ${n} contains itself`);
    visiting.add(n);
    for (const d of [...deps.get(n)!].sort()) visit(d);
    visiting.delete(n);
    order.push(n);
  };
  for (const n of [...defs.keys()].sort()) visit(n);

  let h = `/*
 * NetBSD ${netbsd_10_99.release} amd64 kernel structures and constants, as the project's test
 * modules see them. GENERATED by packages/kernel-core/scripts/netbsd-abi-header.ts from the
 * TypeScript layouts in packages/kernel-core/src/abi/: do not edit by hand.
 */
#ifndef RUMP_TEST_NETBSD_ABI_H
#define RUMP_TEST_NETBSD_ABI_H

#include <netbsd_module.h>

typedef short int16_t;
typedef signed char int8_t;
typedef _Bool bool;

`;
  for (const n of [...known].sort()) h += `struct ${n};\n`;
  h += '\ntypedef struct kmutex kmutex_t;\ntypedef struct krwlock krwlock_t;\n';
  h += 'typedef struct kcondvar kcondvar_t;\ntypedef struct kauth_cred *kauth_cred_t;\n';
  h += 'typedef struct lwp lwp_t;\ntypedef struct proc proc_t;\ntypedef struct vnode vnode_t;\n';
  h += 'typedef struct pool_cache *pool_cache_t;\n\n';
  for (const n of order) h += `${defs.get(n)}\n`;

  h += '/* Constants */\n';
  const groups = [
    constants.kmflags,
    constants.ipl,
    constants.locks,
    constants.vtype,
    constants.vnode,
    constants.buf,
    constants.mnt,
    constants.fcntl,
    constants.uio,
    constants.sysctl,
    constants.evcnt,
    constants.param,
    constants.modctl,
  ];
  const skip = new Set(['MAXMODNAME']);
  for (const g of groups) {
    for (const [k, v] of Object.entries(g)) {
      if (typeof v !== 'number' || skip.has(k)) continue;
      const lit = v < 0 ? `(${v})` : v > 0xffff ? `0x${v.toString(16)}` : `${v}`;
      h += `#define ${k} ${lit}${v > 0x7fffffff ? 'U' : ''}\n`;
    }
  }
  h += `#define MAXMODNAME ${constants.modctl.MAXMODNAME}\n`;
  for (const [k, v] of Object.entries(netbsd_10_99_errno())) h += `#ifndef ${k}\n#define ${k} ${v}\n#endif\n`;
  VOP_NAMES.forEach((n, i) => {
    h += `#define VOP_${n.toUpperCase()}_DESCOFFSET ${i}\n`;
  });
  h += '\n#endif\n';
  return h;
}

function netbsd_10_99_errno(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(errnoTable).filter(([, v]) => v > 0),
  );
}
import { errno as errnoTable } from '../src/abi/netbsd-10.99/errno.js';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generateHeader();
  if (process.argv.includes('--check')) {
    const cur = readFileSync(HEADER_PATH, 'utf8');
    if (cur !== text) {
      console.error(`${HEADER_PATH} is stale: run pnpm exec tsx scripts/netbsd-abi-header.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(HEADER_PATH, text);
    console.log(`wrote ${HEADER_PATH}`);
  }
}
