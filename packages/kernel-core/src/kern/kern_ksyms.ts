/**
 * The kernel symbol table: every name a module can import. Functions are TypeScript
 * implementations behind CPU host-function addresses (ordinary function pointers to guest code);
 * data symbols are objects in kernel data. A name the kernel knows but does not implement yet
 * still resolves — to a function that panics naming itself — so that linking never silently
 * succeeds with a hole, and the table can say what is implemented and what is not.
 */
import type { Cpu } from '@rump/cpu-x86';
import { setReturn } from './hostcall.js';

export type SymbolKind = 'function' | 'data';

export interface KernelSymbol {
  readonly name: string;
  readonly kind: SymbolKind;
  /** NetBSD subsystem (source file family) the symbol belongs to: `kmem`, `vfs`, `genfs` ... */
  readonly subsystem: string;
  readonly address: bigint;
  /** Bytes, for data symbols. */
  readonly size: number;
  readonly implemented: boolean;
}

/** A kernel function: reads its SysV arguments from the CPU, returns RAX (booleans as 0/1). */
// biome-ignore lint/suspicious/noConfusingVoidType: kernel functions with no result simply return
export type KernelFunction = (cpu: Cpu) => bigint | number | boolean | undefined | void;

export class KernelSymbolTable {
  private readonly symbols = new Map<string, KernelSymbol>();
  private readonly data: KernelSymbol[] = [];

  constructor(
    private readonly cpu: Cpu,
    private readonly onUnimplemented: (name: string) => never,
  ) {}

  /** Defines a function implemented in TypeScript. */
  function(name: string, subsystem: string, fn: KernelFunction): bigint {
    this.checkNew(name);
    // Integer and boolean results go straight into RAX's halves (no BigInt per call); the Cpu
    // converts the rest (BigInts, and non-integers, which it rejects naming the function).
    const address = this.cpu.defineHostFunction(name, (cpu: Cpu) => {
      const r = fn(cpu);
      if (typeof r === 'number') {
        if (!Number.isSafeInteger(r)) return r;
        setReturn(cpu, r);
        return undefined;
      }
      if (typeof r === 'boolean') {
        setReturn(cpu, r ? 1 : 0);
        return undefined;
      }
      return r;
    });
    this.symbols.set(name, {
      name,
      kind: 'function',
      subsystem,
      address,
      size: 0,
      implemented: true,
    });
    return address;
  }

  /** Defines a data symbol at `address` (placed by the caller in kernel data). */
  dataAt(
    name: string,
    subsystem: string,
    address: bigint,
    size: number,
    implemented = true,
  ): bigint {
    this.checkNew(name);
    const s: KernelSymbol = { name, kind: 'data', subsystem, address, size, implemented };
    this.symbols.set(name, s);
    this.data.push(s);
    return address;
  }

  /** Registers a function the kernel knows but does not implement yet: calling it panics naming it. */
  unimplemented(name: string, subsystem: string): bigint {
    this.checkNew(name);
    const address = this.cpu.defineHostFunction(name, () => this.onUnimplemented(name));
    this.symbols.set(name, {
      name,
      kind: 'function',
      subsystem,
      address,
      size: 0,
      implemented: false,
    });
    return address;
  }

  /**
   * Marks a data symbol implemented once its contents are real (the VFS filling spec_vnodeop_p,
   * for instance). Functions are implemented by defining them before boot fills in stubs.
   */
  setImplemented(name: string): void {
    const s = this.symbols.get(name);
    if (s?.kind !== 'data') throw new Error(`setImplemented: ${name} is not a kernel data symbol`);
    const done = { ...s, implemented: true };
    this.symbols.set(name, done);
    this.data[this.data.indexOf(s)] = done;
  }

  has(name: string): boolean {
    return this.symbols.has(name);
  }

  get(name: string): KernelSymbol | undefined {
    return this.symbols.get(name);
  }

  /** The linker's resolver: the address of a kernel symbol, or undefined. */
  resolve(name: string): bigint | undefined {
    return this.symbols.get(name)?.address;
  }

  all(): KernelSymbol[] {
    return [...this.symbols.values()];
  }

  implementedNames(): string[] {
    return this.all()
      .filter((s) => s.implemented)
      .map((s) => s.name)
      .sort();
  }

  unimplementedNames(): string[] {
    return this.all()
      .filter((s) => !s.implemented)
      .map((s) => s.name)
      .sort();
  }

  /** Names a code or data address: a kernel function (`kmem_alloc`) or `lwp0+0x1a8`. */
  symbolize(address: bigint): string | undefined {
    const fn = this.cpu.hostFunctionName(address);
    if (fn !== undefined) return fn;
    for (const s of this.data) {
      if (address >= s.address && address < s.address + BigInt(Math.max(s.size, 1))) {
        const off = address - s.address;
        return off ? `${s.name}+0x${off.toString(16)}` : s.name;
      }
    }
    return undefined;
  }

  private checkNew(name: string): void {
    if (this.symbols.has(name)) throw new Error(`kernel symbol ${name} is defined twice`);
  }
}
