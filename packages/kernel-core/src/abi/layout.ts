/**
 * Declarative struct layouts: one object per C struct, with each member's byte offset,
 * size and C type as NetBSD's compiler laid it out. Kernel code reads `S.lwp.l_proc.offset`;
 * the C header generator and the layout test walk the same objects, so TypeScript, the
 * test modules and the reference facts agree by construction.
 */

export interface Field {
  readonly offset: number;
  readonly size: number;
  /** C type as written in the DWARF of NetBSD's objects (`struct cpu_info *`, `__uid_t[16]`). */
  readonly ctype: string;
  /** Bit-field position inside the storage unit at `offset`: [bitOffset, bitSize]. */
  readonly bits?: readonly [number, number];
  /** Members of an anonymous struct/union member (`v_un.vu_mountedhere`), offsets from the outer struct. */
  readonly m?: Readonly<Record<string, Field>>;
}

export type FieldOf<M extends Record<string, Field> | undefined> =
  M extends Record<string, Field> ? Field & { readonly m: Readonly<M> } : Field;

export interface StructMeta {
  readonly $name: string;
  readonly $size: number;
  readonly $kind: 'struct' | 'union';
}

export type Struct<F extends Record<string, Field> = Record<string, Field>> = StructMeta &
  Readonly<F>;

export function f<M extends Record<string, Field> | undefined = undefined>(
  offset: number,
  size: number,
  ctype: string,
  m?: M,
): FieldOf<M> {
  return (m ? { offset, size, ctype, m } : { offset, size, ctype }) as FieldOf<M>;
}

/** A bit-field member. */
export function bf(
  offset: number,
  size: number,
  ctype: string,
  bitOffset: number,
  bitSize: number,
): Field {
  return { offset, size, ctype, bits: [bitOffset, bitSize] };
}

export function struct<F extends Record<string, Field>>(
  name: string,
  size: number,
  fields: F,
  kind: 'struct' | 'union' = 'struct',
): Struct<F> {
  return Object.freeze({ $name: name, $size: size, $kind: kind, ...fields }) as Struct<F>;
}

/**
 * Layouts from their JSON text (`{ "vnode": { "$name": "vnode", ... }, ... }`), each frozen as
 * struct() freezes it.
 */
export function parseStructs<T>(json: string): T {
  const all = JSON.parse(json) as Record<string, StructMeta>;
  for (const k of Object.keys(all)) Object.freeze(all[k]);
  return Object.freeze(all) as T;
}

/** The members of a layout in declaration order (metadata keys skipped). */
export function structFields(s: StructMeta): [string, Field][] {
  const out: [string, Field][] = [];
  for (const [k, v] of Object.entries(s)) if (!k.startsWith('$')) out.push([k, v as Field]);
  return out;
}

/** Looks a member up by a dotted path through anonymous members: `v_un.vu_mountedhere`. */
export function fieldAt(s: StructMeta, path: string): Field | undefined {
  const parts = path.split('.');
  let cur: Field | undefined = (s as unknown as Record<string, Field>)[parts[0]!];
  for (let i = 1; cur && i < parts.length; i++) cur = cur.m?.[parts[i]!];
  return cur;
}

/** What a C type is, for readers and for the C header: scalars by signedness, pointers, aggregates. */
export type TypeKind = 'int' | 'uint' | 'bool' | 'ptr' | 'fnptr' | 'aggregate' | 'array';

const SIGNED = new Set([
  'int',
  'long int',
  'long long int',
  'short int',
  'signed char',
  'char',
  'int8_t',
  'int16_t',
  'int32_t',
  'int64_t',
  'register_t',
  'intptr_t',
  'ssize_t',
  'off_t',
  '__off_t',
  'daddr_t',
  'time_t',
  'pid_t',
  '__pid_t',
  'lwpid_t',
  'segsz_t',
  'pri_t',
  'quad_t',
  'blkcnt_t',
  '__blkcnt_t',
  'suseconds_t',
  '__suseconds_t',
  'long',
  'short',
]);

function stripQualifiers(ctype: string): string {
  return ctype.replace(/\b(const|volatile)\s+/g, '').trim();
}

/** Classifies a DWARF type string; unknown typedefs of scalar size count as unsigned integers. */
export function typeKind(ctype: string): TypeKind {
  const t = stripQualifiers(ctype);
  if (t.endsWith('*')) return 'ptr';
  if (t === 'funcptr') return 'fnptr';
  if (/\[\d+\]$/.test(t)) return 'array';
  if (t === '_Bool' || t === 'bool') return 'bool';
  if (/^(struct|union) /.test(t)) return 'aggregate';
  if (/^enum /.test(t)) return 'int';
  if (AGGREGATE_TYPEDEFS.has(t)) return 'aggregate';
  if (POINTER_TYPEDEFS.has(t)) return 'ptr';
  return SIGNED.has(t) ? 'int' : 'uint';
}

/** Typedefs that name structs (kmutex_t is `struct kmutex`). */
export const AGGREGATE_TYPEDEFS: ReadonlyMap<string, string> = new Map([
  ['kmutex_t', 'kmutex'],
  ['krwlock_t', 'krwlock'],
  ['kcondvar_t', 'kcondvar'],
  ['specificdata_reference', ''],
  ['sigset_t', ''],
  ['callout_t', 'callout'],
  ['rb_tree_t', 'rb_tree'],
  ['rb_node_t', 'rb_node'],
  ['fsid_t', ''],
  ['kcpuset_t', ''],
  ['stack_t', 'sigaltstack'],
  ['ksiginfo_t', 'ksiginfo'],
  ['uuid_t', ''],
]);

/** Typedefs that are pointers (kauth_cred_t is `struct kauth_cred *`). */
export const POINTER_TYPEDEFS: ReadonlyMap<string, string> = new Map([
  ['kauth_cred_t', 'kauth_cred'],
  ['device_t', ''],
  ['cfdata_t', 'cfdata'],
  ['kauth_scope_t', ''],
  ['kauth_listener_t', ''],
  ['pool_cache_t', 'pool_cache'],
  ['pool_handle_t', 'pool'],
  ['percpu_t', ''],
  ['caddr_t', ''],
]);

/** Minimal memory interface the field helpers need (GuestMemory satisfies it). */
export interface FieldMemory {
  read8(a: bigint): number;
  read16(a: bigint): number;
  read32(a: bigint): number;
  read64(a: bigint): bigint;
  write8(a: bigint, v: number): void;
  write16(a: bigint, v: number): void;
  write32(a: bigint, v: number): void;
  write64(a: bigint, v: bigint): void;
}

/** Address of a member of the struct at `base`. */
export function fieldAddress(base: bigint, f: Field): bigint {
  return base + BigInt(f.offset);
}

/**
 * Reads a scalar member (integer, enum, bool, pointer) with its C signedness: members of up to
 * 4 bytes as a number, 8-byte members as a bigint (pointers unsigned).
 */
export function readField(mem: FieldMemory, base: bigint, f: Field): number | bigint {
  const a = base + BigInt(f.offset);
  const signed = typeKind(f.ctype) === 'int';
  switch (f.size) {
    case 1: {
      const v = mem.read8(a);
      return signed ? (v << 24) >> 24 : v;
    }
    case 2: {
      const v = mem.read16(a);
      return signed ? (v << 16) >> 16 : v;
    }
    case 4: {
      const v = mem.read32(a);
      return signed ? v | 0 : v >>> 0;
    }
    case 8: {
      const v = mem.read64(a);
      return signed ? BigInt.asIntN(64, v) : v;
    }
    default:
      throw new TypeError(`readField: member of ${f.size} bytes (${f.ctype}) is not a scalar`);
  }
}

/** Writes a scalar member; values are truncated to the member's size as C assignment does. */
export function writeField(mem: FieldMemory, base: bigint, f: Field, value: number | bigint): void {
  const a = base + BigInt(f.offset);
  switch (f.size) {
    case 1:
      mem.write8(a, Number(BigInt.asUintN(8, BigInt(value))));
      return;
    case 2:
      mem.write16(a, Number(BigInt.asUintN(16, BigInt(value))));
      return;
    case 4:
      mem.write32(a, Number(BigInt.asUintN(32, BigInt(value))));
      return;
    case 8:
      mem.write64(a, BigInt.asUintN(64, BigInt(value)));
      return;
    default:
      throw new TypeError(`writeField: member of ${f.size} bytes (${f.ctype}) is not a scalar`);
  }
}
