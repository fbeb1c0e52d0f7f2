/** `rump modinfo FILE.kmod`: what a NetBSD kernel module is, needs and offers. */
import { readFileSync } from 'node:fs';
import { inspectModule, type ModuleInspection, netbsdVersionString } from '@rump/elf-linker';
import type { Command, CommandContext } from '../cli/command.js';
import { fromHostError, OperationError } from '../cli/errors.js';
import {
  bootCheckKernel,
  builtinModules,
  checkImports,
  type ImportCheck,
  type KernelCheck,
} from '../kernel-check.js';
import { describeModuleFile, findModule } from '../modules.js';

function inspectFile(path: string): ModuleInspection {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fromHostError(e, path);
  }
  try {
    return inspectModule(bytes);
  } catch (e) {
    throw new OperationError(`not a loadable kernel module: ${(e as Error).message}`, {
      subject: path,
    });
  }
}

/** Exports of the required modules found with -m or in the module path (recursively). */
function requiredExports(
  info: ModuleInspection,
  ctx: CommandContext,
  builtins: readonly string[],
  notes: string[],
): Map<string, Set<string>> {
  const explicit = ctx.global.modules.map(describeModuleFile);
  const out = new Map<string, Set<string>>();
  const queue = [...(info.metadata?.required ?? [])];
  while (queue.length) {
    const name = queue.shift()!;
    if (out.has(name)) continue;
    if (builtins.includes(name)) {
      notes.push(`required module ${name}: built into this kernel`);
      out.set(name, new Set());
      continue;
    }
    try {
      const found = findModule(name, explicit, ctx.global.modulePath);
      const req = inspectFile(found.path);
      out.set(name, new Set(req.exports.map((e) => e.name)));
      queue.push(...(req.metadata?.required ?? []));
    } catch (e) {
      out.set(name, new Set());
      notes.push(`required module ${name}: ${(e as Error).message}`);
    }
  }
  return out;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

function columns(names: readonly string[], width = 78): string[] {
  if (names.length === 0) return ['  (none)'];
  const w = Math.max(...names.map((n) => n.length)) + 2;
  const per = Math.max(1, Math.floor((width - 2) / w));
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += per)
    lines.push(
      `  ${names
        .slice(i, i + per)
        .map((n) => n.padEnd(w))
        .join('')
        .trimEnd()}`,
    );
  return lines;
}

export const modinfo: Command = {
  name: 'modinfo',
  group: 'modules',
  usage: ['modinfo [--imports] [--exports] [--sections] FILE.kmod'],
  summary: 'show a kernel module: name, class, requires, version, sizes, imports, exports',
  description:
    "Reads a NetBSD kernel module (an ELF relocatable .kmod) without loading it: its modinfo_t (name, class, required modules, the __NetBSD_Version__ it was built for, decoded as NetBSD does: 1099001200 is 10.99.12), section sizes, the symbols it imports and exports, and which imports this kernel implements, knows but does not implement yet (calling one panics), or lacks (the module would not link). Imports exported by the module's required modules are found with -m or in the module path.\nBy default imports and exports are summarised; --imports and --exports list every one, --sections lists the sections.",
  options: [
    { long: 'imports', kind: 'flag', help: 'list every import with its status in this kernel' },
    { long: 'exports', kind: 'flag', help: 'list every exported symbol' },
    { long: 'sections', kind: 'flag', help: 'list every ELF section' },
  ],
  operands: { min: 1, max: 1 },
  examples: [
    'rump modinfo ffs.kmod',
    'rump modinfo --imports --module-path /stand/amd64/10.99.12/modules ffs.kmod',
    'rump modinfo --json tinyfs.kmod | jq .kernel.counts',
  ],
  async run(ctx) {
    const path = ctx.options.operands[0]!;
    const info = inspectFile(path);
    const md = info.metadata;
    const notes: string[] = [];
    const kernel = bootCheckKernel();
    const provided = requiredExports(info, ctx, builtinModules(kernel), notes);
    const check: KernelCheck = checkImports(
      [...info.imports, ...info.weakImports],
      md?.version,
      provided,
      kernel,
    );
    if (ctx.global.json) {
      ctx.json({
        file: path,
        name: md?.name ?? null,
        class: md?.class ?? null,
        required: md?.required ?? [],
        version: md ? { number: md.version, release: netbsdVersionString(md.version) } : null,
        metadataError: info.metadataError?.message ?? null,
        sizes: info.sizes,
        sections: info.sections,
        relocations: info.relocations,
        linkSets: info.linkSets,
        imports: check.imports,
        weakImports: info.weakImports,
        exports: info.exports,
        kernel: {
          release: check.kernelRelease,
          version: check.kernelVersion,
          versionAccepted: check.versionAccepted,
          counts: check.counts,
        },
        notes,
      });
      return 0;
    }
    const lines: string[] = [];
    const by = (s: ImportCheck['status']) => check.imports.filter((i) => i.status === s);
    if (md) {
      lines.push(
        `name:      ${md.name}`,
        `class:     ${md.class}`,
        `requires:  ${md.required.length ? md.required.join(', ') : '(none)'}`,
        `version:   ${netbsdVersionString(md.version)} (mi_version ${md.version})${check.versionAccepted === false ? `: this kernel (${check.kernelRelease}) refuses it` : check.versionAccepted ? `: accepted by this kernel (${check.kernelRelease})` : ''}`,
      );
    } else {
      lines.push(
        `name:      (no NetBSD module metadata: ${info.metadataError?.message ?? 'unknown'})`,
      );
    }
    const s = info.sizes;
    lines.push(
      `size:      ${s.total} bytes loaded: text ${s.text}, rodata ${s.rodata}, data ${s.data}, bss ${s.bss}${s.common ? `, common ${s.common}` : ''}`,
      `imports:   ${check.imports.length}: ${check.counts.implemented} implemented, ${check.counts.unimplemented} not implemented yet, ${check.counts.missing} unknown to this kernel, ${check.counts['from-module']} from required modules`,
      `exports:   ${info.exports.length}`,
    );
    if (ctx.options.flag('sections')) {
      lines.push('', 'Sections:');
      const rows = [['idx', 'name', 'type', 'size', 'align', 'flags', 'relocs']];
      for (const sec of info.sections)
        rows.push([
          String(sec.index),
          sec.name,
          sec.type,
          String(sec.size),
          String(sec.align),
          `${sec.alloc ? 'A' : ''}${sec.write ? 'W' : ''}${sec.exec ? 'X' : ''}`,
          String(sec.relocations),
        ]);
      lines.push(...table(rows).map((l) => `  ${l}`));
    }
    if (ctx.options.flag('imports')) {
      lines.push('', 'Imports:');
      const rows = [['symbol', 'status', 'where']];
      for (const i of check.imports) rows.push([i.name, i.status, i.where ?? '']);
      lines.push(...table(rows).map((l) => `  ${l}`));
    } else {
      const missing = by('missing').map((i) => i.name);
      const unimpl = by('unimplemented').map((i) => i.name);
      if (missing.length)
        lines.push(
          '',
          `Unknown to this kernel (the module will not link): ${missing.length}`,
          ...columns(missing),
        );
      if (unimpl.length)
        lines.push(
          '',
          `Not implemented yet (calling one panics): ${unimpl.length}`,
          ...columns(unimpl),
        );
    }
    if (info.weakImports.length)
      lines.push('', `Weak imports (NetBSD refuses them): ${info.weakImports.join(', ')}`);
    if (ctx.options.flag('exports')) {
      lines.push('', 'Exports:');
      const rows = [['symbol', 'type', 'section', 'size']];
      for (const e of info.exports) rows.push([e.name, e.type, e.section, String(e.size)]);
      lines.push(...table(rows).map((l) => `  ${l}`));
    }
    if (notes.length) lines.push('', ...notes.map((n) => `note: ${n}`));
    ctx.io.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
