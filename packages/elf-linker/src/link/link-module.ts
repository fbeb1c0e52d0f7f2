/**
 * linkModule: NetBSD kobj's job for one x86-64 relocatable object. Parse, plan, resolve every
 * import (failing before anything is allocated), allocate, relocate local copies, read the
 * module metadata from them, and only then write them to the target memory. Any failure after
 * allocation returns every allocation before the error propagates.
 */
import { SHT_NOBITS } from '../elf/constants.js';
import { parseElf } from '../elf/parse.js';
import { ModuleMetadataError } from '../errors.js';
import {
  type ImageLocation,
  type LinkedModuleMetadata,
  type ModuleImage,
  readModuleMetadata,
} from '../netbsd/modinfo.js';
import { LINK_SET_PREFIX } from '../netbsd/module-abi.js';
import { checkLoadable, layoutCommons, planSections } from './layout.js';
import { type Allocation, createLinkedModule } from './linked-module.js';
import { applyRelocations, collectRelocations } from './relocate.js';
import { resolveSymbols } from './resolve-symbols.js';
import { SectionSymbols } from './section-symbols.js';
import type { LinkedModule, LinkOptions, SectionRequest } from './types.js';

export function linkModule(bytes: Uint8Array, opts: LinkOptions): LinkedModule {
  const elf = parseElf(bytes);
  checkLoadable(elf);
  const plan = planSections(elf);
  const loaded = new Set(plan.map((p) => p.section.index));
  const commons = layoutCommons(elf);
  const collected = collectRelocations(elf, loaded);
  const { places, imports, namesGot } = resolveSymbols(
    elf,
    loaded,
    opts.resolve,
    opts.allowWeakUndefined ?? false,
    collected.referenced,
  );
  const needsGot = collected.needsGot || namesGot;
  const requireMetadata = opts.requireModuleMetadata ?? true;

  const allocations: Allocation[] = [];
  const sectionAddress = new Map<number, bigint>();
  let committed = false;
  const allocate = (request: SectionRequest): bigint => {
    const address = opts.allocator.allocate(request);
    // A misaligned address is a bug in the caller's allocator, not in the module: a plain Error.
    if (typeof address !== 'bigint' || address < 0n || address % BigInt(request.align) !== 0n) {
      if (typeof address === 'bigint') opts.allocator.free(address, request.size);
      throw new Error(
        `allocator returned ${String(address)} for ${request.name}: not aligned to ${request.align}`,
      );
    }
    return address;
  };
  try {
    for (const p of plan) {
      const address = allocate({
        name: p.section.name,
        size: p.size,
        align: p.align,
        flags: { write: p.write, exec: p.exec },
      });
      allocations.push({
        index: p.section.index,
        name: p.section.name,
        address,
        size: p.size,
        align: p.align,
        kind: p.kind,
        write: p.write,
        exec: p.exec,
      });
      sectionAddress.set(p.section.index, address);
    }
    let commonAddress = 0n;
    if (commons) {
      commonAddress = allocate({
        name: 'COMMON',
        size: commons.size,
        align: commons.align,
        flags: { write: true, exec: false },
      });
      allocations.push({
        index: -1,
        name: 'COMMON',
        address: commonAddress,
        size: commons.size,
        align: commons.align,
        kind: 'common',
        write: true,
        exec: false,
      });
    }
    const gotSize = Math.max(1, collected.gotSlots.size) * 8;
    let gotAddress = 0n;
    if (needsGot) {
      gotAddress = allocate({
        name: '.got',
        size: gotSize,
        align: 8,
        flags: { write: false, exec: false },
      });
      allocations.push({
        index: -1,
        name: '.got',
        address: gotAddress,
        size: gotSize,
        align: 8,
        kind: 'got',
        write: false,
        exec: false,
      });
    }

    // Symbol addresses, now that every section has one.
    const addresses: (bigint | undefined)[] = new Array(places.length);
    for (let i = 0; i < places.length; i++) {
      const p = places[i]!;
      switch (p.kind) {
        case 'section':
          addresses[i] = BigInt.asUintN(64, sectionAddress.get(p.section)! + p.offset);
          break;
        case 'absolute':
          addresses[i] = p.value;
          break;
        case 'common':
          addresses[i] = commonAddress + BigInt(commons!.offsets.get(i)!);
          break;
        case 'import':
          addresses[i] = p.address;
          break;
        case 'got':
          addresses[i] = gotAddress;
          break;
        default:
          addresses[i] = undefined;
      }
    }

    // Local copies of the contents; SHT_NOBITS sections stay zero and are not copied.
    const images = new Map<number, Uint8Array>();
    for (const p of plan) {
      if (p.section.type !== SHT_NOBITS)
        images.set(p.section.index, elf.sectionData(p.section).slice());
    }
    const counts = new Map<string, number>();
    for (const batch of collected.batches) {
      applyRelocations(
        {
          elf,
          places,
          addresses,
          sectionAddress: (i) => sectionAddress.get(i)!,
          image: (i) => images.get(i)!,
          gotAddress,
          gotSlots: collected.gotSlots,
          counts,
        },
        batch,
      );
    }
    let got: Uint8Array | undefined;
    if (needsGot) {
      got = new Uint8Array(gotSize);
      const view = new DataView(got.buffer);
      for (const [symbol, slot] of collected.gotSlots)
        view.setBigUint64(slot * 8, addresses[symbol] ?? 0n, true);
    }

    const symbols = new SectionSymbols(elf);
    const sorted = [...allocations].sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : 0,
    );
    const locate = (address: bigint): ImageLocation => {
      for (const a of sorted) {
        if (address >= a.address && address < a.address + BigInt(a.size)) {
          const offset = Number(address - a.address);
          if (a.index < 0) return { section: undefined, offset, address, symbol: a.name };
          return {
            section: elf.sections[a.index]!,
            offset,
            address,
            symbol: symbols.describe(a.index, a.name, offset),
          };
        }
      }
      for (const [name, value] of imports)
        if (value === address) return { section: undefined, offset: 0, address, symbol: name };
      return { section: undefined, offset: 0, address };
    };
    const image: ModuleImage = {
      pointer(section, offset) {
        const img = images.get(section.index);
        if (!img || offset + 8 > img.byteLength) return null;
        const value = new DataView(img.buffer, img.byteOffset).getBigUint64(offset, true);
        return value === 0n ? null : locate(value);
      },
      bytes(section, offset, length) {
        const img = images.get(section.index);
        const data = img?.subarray(offset, offset + length);
        if (data && data.byteLength === length) return data;
        const out = new Uint8Array(length);
        if (data) out.set(data);
        return out;
      },
    };

    let metadata: LinkedModuleMetadata | undefined;
    const hasModuleSet = elf.sections.some((s) => s.name === 'link_set_modules');
    if (requireMetadata || hasModuleSet) {
      const { modinfo, modcmd, ...rest } = readModuleMetadata(elf, image);
      metadata = { ...rest, modinfoAddress: modinfo.address!, modcmdAddress: modcmd.address! };
    }
    const linkSets = new Map<string, bigint[]>();
    for (const p of plan) {
      const s = p.section;
      if (!s.name.startsWith(LINK_SET_PREFIX)) continue;
      if (s.size % 8 !== 0)
        throw new ModuleMetadataError(s.name, `size ${s.size} is not a whole number of pointers`);
      const img = images.get(s.index);
      const pointers: bigint[] = [];
      const view = img ? new DataView(img.buffer, img.byteOffset, img.byteLength) : undefined;
      for (let o = 0; o < s.size; o += 8) pointers.push(view ? view.getBigUint64(o, true) : 0n);
      linkSets.set(s.name, pointers);
    }

    // Everything succeeded: write the module into the target.
    for (const a of allocations) {
      const img = a.index >= 0 ? images.get(a.index) : a.kind === 'got' ? got : undefined;
      if (img) opts.memory.write(a.address, img);
      else if (opts.memory.zero) opts.memory.zero(a.address, a.size);
      else opts.memory.write(a.address, new Uint8Array(a.size));
    }
    committed = true;
    return createLinkedModule({
      elf,
      allocations,
      addresses,
      places,
      imports,
      metadata,
      linkSets,
      counts,
      symbols,
      allocator: opts.allocator,
    });
  } finally {
    if (!committed) for (const a of allocations) opts.allocator.free(a.address, a.size);
  }
}
