/**
 * The module framework (kern_module.c, kern_module_vfs.c, subr_kobj.c): modctl's LOAD, UNLOAD
 * and STAT with NetBSD's order of events and errno results —
 *   find the file (a path inside the rump kernel, or a bare name looked up as
 *   <module_base>/<name>/<name>.kmod and then in the host module path) → read modinfo
 *   → version check (module_compatible: exact for -current, same major.minor for releases)
 *   → class and duplicate checks → required modules, loaded first or satisfied by built-ins
 *   → link (kobj_affix; imports resolve against the kernel and the loaded modules)
 *   → link_set_sysctl_funcs and link_set_evcnts → modcmd(MODULE_CMD_INIT) in the guest.
 * Failures undo what was done and throw ModuleError with the errno NetBSD returns, after
 * printing NetBSD's "WARNING: module error: ..." line.
 */
import {
  type ElfFile,
  ElfLinkerError,
  type LinkedModule,
  linkModule,
  type ModuleMetadata,
  parseElfShared,
  readModuleInfo,
  UnresolvedSymbolsError,
} from '@rump/elf-linker';
import { MODULE_CLASS_NAMES, modclass, modcmd, modctl } from '../abi/netbsd-10.99/constants.js';
import { errno } from '../abi/netbsd-10.99/errno.js';
import { formatVersion, moduleCompatible } from '../abi/profile.js';
import { ErrnoError, ModuleError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import { readHostFile } from '../rump/etfs.js';
import { kva, windowOffset } from '../uvm/uvm_km.js';
import { utf8 } from './kdata.js';

export type ModuleSource = 'builtin' | 'boot' | 'filesys';
const SOURCE_NUMBER: Record<ModuleSource, number> = { builtin: 0, boot: 1, filesys: 2 };

export interface ModuleStat {
  readonly name: string;
  /** Lowest section address (0 for built-ins). */
  readonly address: bigint;
  readonly source: ModuleSource;
  readonly class: string;
  readonly classNumber: number;
  /** Bytes of sections. */
  readonly size: number;
  /** Modules that require this one. */
  readonly refcount: number;
  readonly flags: number;
  readonly required: readonly string[];
  /** Where the module was read from (a rump path or a host path); undefined for built-ins. */
  readonly file?: string;
}

interface Module {
  readonly name: string;
  readonly source: ModuleSource;
  readonly classNumber: number;
  readonly version: number;
  readonly required: Module[];
  refcnt: number;
  flags: number;
  readonly linked?: LinkedModule;
  readonly modcmd: bigint;
  /** Guest struct module (its mod_sysctllog is where sysctl setup functions log). */
  readonly guest: bigint;
  readonly file?: string;
  readonly evcnts: bigint[];
}

export interface LoadRequest {
  /** A path inside the rump kernel (`/ffs.kmod`) or a module name (`ffs`). */
  readonly filename: string;
  /** MODCTL_LOAD_FORCE, MODCTL_NO_PROP. */
  readonly flags?: number;
  /** Properties (a proplib XML dictionary in NetBSD); recorded, passed to modcmd as NULL. */
  readonly props?: string;
}

export interface BuiltinModule {
  readonly name: string;
  readonly classNumber: number;
}

export class Modules {
  private readonly list: Module[] = [];
  private readonly pending: string[] = [];
  /** `/stand/amd64/10.99.12/modules`, as module_init computes it for -current. */
  readonly moduleBase: string;
  /** Messages from module_print (DEBUG: module: ...) go to the console when true. */
  verbose = false;
  /** Properties given to the last loads, by module name. */
  readonly props = new Map<string, string>();

  constructor(
    private readonly k: Kernel,
    builtins: readonly BuiltinModule[],
    /** Host directories searched for `<name>.kmod` and `<name>/<name>.kmod`. */
    private readonly hostModulePath: readonly string[],
  ) {
    const p = k.profile;
    const release = p.isCurrent
      ? p.release
      : formatVersion(Math.floor(p.version / 1_000_000) * 1_000_000);
    this.moduleBase = `/stand/amd64/${release}/modules`;
    for (const b of builtins) {
      this.list.push({
        name: b.name,
        source: 'builtin',
        classNumber: b.classNumber,
        version: p.version,
        required: [],
        refcnt: 0,
        flags: 0,
        modcmd: 0n,
        guest: 0n,
        evcnts: [],
      });
    }
  }

  private error(
    code: number,
    module: string,
    message: string,
    missing: readonly string[] = [],
  ): ModuleError {
    this.k.console.print(`WARNING: module error: ${message}\n`);
    return new ModuleError(code, module, message, missing);
  }

  private print(message: string): void {
    if (this.verbose) this.k.console.print(`DEBUG: module: ${message}\n`);
  }

  find(name: string): Module | undefined {
    return this.list.find((m) => m.name === name);
  }

  /** MODCTL_LOAD. */
  load(req: LoadRequest): ModuleStat {
    const mod = this.doLoad(req.filename, false, req.flags ?? 0, req.props);
    return this.statOf(mod);
  }

  private readFile(filename: string, isdep: boolean): { bytes: Uint8Array; file: string } {
    const k = this.k;
    const candidates: string[] = [];
    if (!isdep && filename.includes('/')) candidates.push(filename);
    if (!filename.includes('/')) candidates.push(`${this.moduleBase}/${filename}/${filename}.kmod`);
    for (const c of candidates) {
      this.print(`Loading module from ${c}`);
      // kobj_load_vfs: the path is looked up in the rump kernel's own file system (namei), where
      // etfs entries, mounted file systems and files written in the kernel all live.
      try {
        return { bytes: k.vfs.readFile(c), file: c };
      } catch (e) {
        if (!(e instanceof ErrnoError)) throw e;
        if (e.errno !== errno.ENOENT) {
          throw this.error(e.errno, filename, `cannot load kernel object \`${c}': ${e.detail}`);
        }
      }
      if (k.etfs.lookup(c)) return { bytes: k.etfs.readFile(c), file: c };
    }
    if (!filename.includes('/')) {
      for (const dir of this.hostModulePath) {
        for (const p of [`${dir}/${filename}.kmod`, `${dir}/${filename}/${filename}.kmod`]) {
          try {
            return { bytes: readHostFile(k.host, p), file: p };
          } catch {
            /* next candidate */
          }
        }
      }
    }
    throw this.error(
      errno.ENOENT,
      filename,
      `cannot load kernel object \`${filename}': not found${filename.includes('/') ? '' : ` in ${this.moduleBase} or the module path`}`,
    );
  }

  private doLoad(filename: string, isdep: boolean, flags: number, props?: string): Module {
    const k = this.k;
    const byName = filename.includes('/') ? undefined : this.find(filename);
    if (byName) {
      this.print(`${isdep ? 'dependent' : 'requested'} module \`${filename}' already loaded`);
      if (isdep) return byName;
      throw new ModuleError(errno.EEXIST, filename, `module \`${filename}' already loaded`);
    }
    const { bytes, file } = this.readFile(filename, isdep);

    // The file is parsed once: its metadata now, the same ElfFile linked after the dependencies.
    // A file with the same contents parsed earlier in this process (another kernel instance
    // loading the same module) is not parsed again: ElfFiles are read-only and shared.
    let elf: ElfFile;
    let meta: ModuleMetadata;
    try {
      elf = parseElfShared(bytes);
      meta = readModuleInfo(elf);
    } catch (e) {
      throw this.error(
        errno.ENOEXEC,
        filename,
        `cannot fetch info for \`${filename}': ${(e as Error).message}`,
      );
    }
    const name = meta.name;
    if (name.length >= modctl.MAXMODNAME) {
      throw this.error(
        errno.EINVAL,
        name,
        `module name \`${name}' longer than ${modctl.MAXMODNAME}`,
      );
    }
    if (
      meta.classNumber <= modclass.MODULE_CLASS_ANY ||
      meta.classNumber >= MODULE_CLASS_NAMES.length
    ) {
      throw this.error(
        errno.EINVAL,
        name,
        `module \`${name}' has invalid class ${meta.classNumber}`,
      );
    }
    if (!moduleCompatible(k.profile.version, meta.version)) {
      const msg = `module \`${name}' built for NetBSD ${formatVersion(meta.version)} (${meta.version}), kernel is NetBSD ${k.profile.release} (${k.profile.version})`;
      if (flags & modctl.MODCTL_LOAD_FORCE) {
        k.console.print(
          `WARNING: module error: ${msg}\nWARNING: module error: forced load, system may be unstable\n`,
        );
      } else {
        throw this.error(errno.EPROGMISMATCH, name, msg);
      }
    }
    if (isdep && name !== filename) {
      throw this.error(
        errno.ENOENT,
        name,
        `dependency name mismatch (\`${filename}' != \`${name}')`,
      );
    }
    if (this.find(name)) {
      throw this.error(errno.EEXIST, name, `module with name \`${name}' already loaded`);
    }
    if (this.pending.includes(name)) {
      throw this.error(errno.EDEADLK, name, `circular dependency detected for \`${name}'`);
    }

    this.pending.push(name);
    const required: Module[] = [];
    try {
      for (const r of meta.required) {
        if (r.length >= modctl.MAXMODNAME) {
          throw this.error(
            errno.EINVAL,
            name,
            `required module name \`${r}' longer than ${modctl.MAXMODNAME}`,
          );
        }
        if (r === name)
          throw this.error(errno.EDEADLK, name, `self-dependency detected for \`${name}'`);
        try {
          required.push(this.doLoad(r, true, flags));
        } catch (e) {
          if (!(e instanceof ModuleError)) throw e;
          throw this.error(
            e.errno,
            name,
            `recursive load failed for \`${name}' (\`${r}' required), error ${e.errno}: ${e.detail}`,
            e.missingSymbols,
          );
        }
      }
      const mod = this.affix(name, meta, elf, file, required, props);
      // Dependencies are loaded as autoloads (module_do_load(..., autoload = true)): once
      // nothing requires them, autounload() may take them away again.
      if (isdep) mod.flags |= modctl.MODFLG_AUTO_LOADED;
      return mod;
    } finally {
      this.pending.pop();
    }
  }

  private affix(
    name: string,
    meta: ModuleMetadata,
    elf: ElfFile,
    file: string,
    required: Module[],
    props: string | undefined,
  ): Module {
    const k = this.k;
    let linked: LinkedModule;
    try {
      linked = linkModule(elf, {
        allocator: {
          allocate: (r) => {
            const off = k.arena.allocate(r.size, r.align, `module ${name} ${r.name}`);
            if (off < 0)
              throw this.error(
                errno.ENOMEM,
                name,
                `out of memory linking \`${name}' (${r.name}, ${r.size} bytes)`,
              );
            return kva(off);
          },
          free: (a) => {
            k.arena.release(windowOffset(a));
          },
        },
        memory: { write: (a, b) => k.mem.write(a, b) },
        resolve: (sym) => this.resolve(sym),
      });
    } catch (e) {
      if (e instanceof ModuleError) throw e;
      if (e instanceof UnresolvedSymbolsError) {
        const names = [...e.names, ...e.weak];
        throw this.error(
          errno.ENOEXEC,
          name,
          `unable to affix module \`${name}': ${names.length} undefined symbol(s) the kernel does not have: ${names.join(', ')}`,
          names,
        );
      }
      if (e instanceof ElfLinkerError)
        throw this.error(errno.ENOEXEC, name, `unable to affix module \`${name}': ${e.message}`);
      throw e;
    }
    const M = k.S.module;
    const guest = k.kmem.alloc(M.$size, 1, true, 'module_newmodule');
    k.mem.write64(guest + BigInt(M.mod_info.offset), linked.metadata!.modinfoAddress);
    k.mem.write32(guest + BigInt(M.mod_source.offset), SOURCE_NUMBER.filesys);
    const mod: Module = {
      name,
      source: 'filesys',
      classNumber: meta.classNumber,
      version: meta.version,
      required,
      refcnt: 0,
      flags: 0,
      linked,
      modcmd: linked.metadata!.modcmdAddress,
      guest,
      file,
      evcnts: [],
    };
    if (props !== undefined) this.props.set(name, props);
    // Listed while it initializes, so that its addresses symbolize in reports.
    this.list.push(mod);
    let initDone = false;
    try {
      const sysctlLog = guest + BigInt(M.mod_sysctllog.offset);
      for (const fn of linked.linkSets.get('link_set_sysctl_funcs') ?? [])
        k.callGuest(fn, sysctlLog);
      for (const ev of linked.linkSets.get('link_set_evcnts') ?? []) {
        k.evcnt.attach(ev, -1, 0n, 0n, 0n);
        mod.evcnts.push(ev);
      }
      const error = Number(BigInt.asIntN(32, k.callGuest(mod.modcmd, modcmd.MODULE_CMD_INIT, 0)));
      if (error !== 0)
        throw this.error(error, name, `modcmd(CMD_INIT) failed for \`${name}', error ${error}`);
      initDone = true;
    } finally {
      if (!initDone && !k.dead) this.discard(mod);
    }
    for (const r of required) r.refcnt++;
    this.print(`module \`${name}' loaded successfully`);
    if (k.verbose)
      k.console.print(`module \`${name}' loaded at 0x${this.statOf(mod).address.toString(16)}\n`);
    return mod;
  }

  /** Undoes a load: sysctl nodes, event counters, sections, the list entry. */
  private discard(mod: Module): void {
    const k = this.k;
    k.sysctl.teardown(mod.guest + BigInt(k.S.module.mod_sysctllog.offset));
    for (const ev of mod.evcnts) k.evcnt.detach(ev);
    mod.linked?.unload();
    k.kmem.free(mod.guest, k.S.module.$size, 'module_free');
    this.list.splice(this.list.indexOf(mod), 1);
  }

  /** MODCTL_UNLOAD. */
  unload(name: string): void {
    const mod = this.find(name);
    if (!mod) throw this.error(errno.ENOENT, name, `module \`${name}' not found`);
    if (mod.refcnt > 0)
      throw this.error(errno.EBUSY, name, `module \`${name}' busy (${mod.refcnt} refs)`);
    if (mod.source === 'builtin')
      throw this.error(errno.EBUSY, name, `cannot unload built-in module \`${name}'`);
    this.print(`unload requested for '${name}'`);
    const error = Number(
      BigInt.asIntN(32, this.k.callGuest(mod.modcmd, modcmd.MODULE_CMD_FINI, 0)),
    );
    if (error !== 0) {
      this.print(`could not unload module \`${name}' error=${error}`);
      throw new ModuleError(
        error,
        name,
        `module \`${name}' refused to unload (modcmd FINI returned ${error})`,
      );
    }
    for (const r of mod.required) r.refcnt--;
    this.discard(mod);
    this.print(`unloaded module \`${name}'`);
  }

  /** Calls the module's modcmd with `cmd` (MODULE_CMD_STAT, MODULE_CMD_AUTOUNLOAD ...); returns its result. */
  modcmd(name: string, cmd: number, arg: bigint = 0n): number {
    const mod = this.find(name);
    if (!mod) throw new ModuleError(errno.ENOENT, name, `module \`${name}' not found`);
    if (mod.source === 'builtin') return errno.ENOTTY;
    return Number(BigInt.asIntN(32, this.k.callGuest(mod.modcmd, cmd, arg)));
  }

  /**
   * What module_thread does for auto-loaded modules: asks each unreferenced one whether it may go
   * (MODULE_CMD_AUTOUNLOAD; ENOTTY counts as yes) and unloads those that agree. Returns their names.
   */
  autounload(): string[] {
    const gone: string[] = [];
    for (const mod of [...this.list]) {
      if (mod.source === 'builtin' || mod.refcnt > 0 || !(mod.flags & modctl.MODFLG_AUTO_LOADED))
        continue;
      const r = this.modcmd(mod.name, modcmd.MODULE_CMD_AUTOUNLOAD);
      if (r !== 0 && r !== errno.ENOTTY) continue;
      this.unload(mod.name);
      gone.push(mod.name);
    }
    return gone;
  }

  /** MODCTL_STAT: every module, built-ins first, in load order. */
  stat(): ModuleStat[] {
    return this.list.map((m) => this.statOf(m));
  }

  private statOf(m: Module): ModuleStat {
    const secs = m.linked?.sections ?? [];
    const address = secs.reduce((a, s) => (a === 0n || s.address < a ? s.address : a), 0n);
    return {
      name: m.name,
      address,
      source: m.source,
      class: MODULE_CLASS_NAMES[m.classNumber] ?? `class ${m.classNumber}`,
      classNumber: m.classNumber,
      size: secs.reduce((n, s) => n + s.size, 0),
      refcount: m.refcnt,
      flags: m.flags,
      required: m.required.map((r) => r.name),
      ...(m.file ? { file: m.file } : {}),
    };
  }

  /** Import resolution: kernel symbols, then the exports of loaded modules. */
  resolve(sym: string): bigint | undefined {
    const a = this.k.ksyms.resolve(sym);
    if (a !== undefined) return a;
    for (const m of this.list) {
      const e = m.linked?.lookup(sym);
      if (e !== undefined) return e;
    }
    return undefined;
  }

  /** Address of a symbol a loaded module defines (locals included), or undefined. */
  symbol(moduleName: string, sym: string): bigint | undefined {
    return this.find(moduleName)?.linked?.lookupAny(sym);
  }

  /** `ffs.kmod ffs_mount+0x76` for an address inside a loaded module. */
  symbolize(address: bigint): string | undefined {
    for (const m of this.list) {
      const s = m.linked?.symbolize(address);
      if (!s) continue;
      const where = s.symbol
        ? `${s.symbol}+0x${s.offset.toString(16)}`
        : `${s.section}+0x${s.sectionOffset.toString(16)}`;
      return `${m.name}.kmod ${where}`;
    }
    return undefined;
  }

  /**
   * modctl(2) with its arguments in guest memory, as sys_modctl receives them: MODCTL_LOAD takes
   * a modctl_load_t, MODCTL_UNLOAD a module name, MODCTL_STAT a struct iovec whose iov_len is
   * set to the bytes needed, MODCTL_EXISTS an int. Returns 0 or a NetBSD errno.
   */
  modctlGuest(cmd: number, arg: bigint): number {
    const k = this.k;
    const m = k.mem;
    try {
      switch (cmd) {
        case modctl.MODCTL_LOAD: {
          const L = k.S.modctl_load;
          const fn = m.read64(arg + BigInt(L.ml_filename.offset));
          const flags = m.read32(arg + BigInt(L.ml_flags.offset));
          const propsp = m.read64(arg + BigInt(L.ml_props.offset));
          const propslen = Number(m.read64(arg + BigInt(L.ml_propslen.offset)));
          if (fn === 0n) return errno.EFAULT;
          const props =
            propsp !== 0n && propslen > 0
              ? new TextDecoder().decode(m.read(propsp, propslen))
              : undefined;
          this.load({
            filename: m.readCString(fn, 1024),
            flags,
            ...(props !== undefined ? { props } : {}),
          });
          return 0;
        }
        case modctl.MODCTL_UNLOAD:
          this.unload(m.readCString(arg, modctl.MAXMODNAME));
          return 0;
        case modctl.MODCTL_STAT: {
          const IOV = k.S.iovec;
          const base = m.read64(arg + BigInt(IOV.iov_base.offset));
          const len = Number(m.read64(arg + BigInt(IOV.iov_len.offset)));
          const need = this.statToGuest(base, len);
          m.write64(arg + BigInt(IOV.iov_len.offset), BigInt(need));
          return 0;
        }
        case modctl.MODCTL_EXISTS:
          return 0;
        default:
          return errno.EINVAL;
      }
    } catch (e) {
      if (e instanceof ModuleError) return e.errno;
      throw e;
    }
  }

  /** Writes modstat_t records for MODCTL_STAT into a guest buffer, NetBSD's layout (required lists after them). */
  statToGuest(buf: bigint, len: number): number {
    const k = this.k;
    const MS = k.S.modstat;
    const stats = this.stat();
    let strOff = stats.length * MS.$size;
    const need = stats.reduce((n, s) => n + MS.$size + s.required.join(',').length + 1, 0);
    if (len < need) return need;
    stats.forEach((s, i) => {
      const p = buf + BigInt(i * MS.$size);
      k.mem.fill(p, MS.$size, 0);
      k.mem.write(p + BigInt(MS.ms_name.offset), utf8(s.name));
      k.mem.write64(p + BigInt(MS.ms_addr.offset), s.address);
      k.mem.write32(p + BigInt(MS.ms_source.offset), SOURCE_NUMBER[s.source]);
      k.mem.write32(p + BigInt(MS.ms_class.offset), s.classNumber);
      k.mem.write32(p + BigInt(MS.ms_size.offset), s.size);
      k.mem.write32(p + BigInt(MS.ms_refcnt.offset), s.refcount);
      k.mem.write32(p + BigInt(MS.ms_flags.offset), s.flags);
      k.mem.write32(p + BigInt(MS.ms_reqoffset.offset), strOff);
      const req = utf8(`${s.required.join(',')}\0`);
      k.mem.write(buf + BigInt(strOff), req);
      strOff += req.length;
    });
    return need;
  }
}
