/**
 * Focused instruction checks through step(): operand forms (ModRM/SIB/RIP-relative, segment bases,
 * byte registers), zero-extension, flags, shifts, 128-bit multiply/divide, atomics, cpuid/rdtsc.
 * (The differential suite compares every form against the real CPU; these name the rules.)
 */
import { describe, expect, it } from 'vitest';
import { type Cpu, cpuidLeaf, Reg } from '../src/index.js';
import { CODE, DATA, machine, u64 } from './machine.js';

const CF = 0x1n;
const ZF = 0x40n;
const SF = 0x80n;
const OF = 0x800n;

/** Executes one instruction with the given registers; returns the Cpu. */
function exec(
  bytes: number[],
  regs: Partial<Record<keyof typeof Reg, bigint>> = {},
  flags = 0n,
): Cpu {
  const { cpu } = machine(bytes);
  for (const [name, v] of Object.entries(regs)) cpu.setReg(Reg[name as keyof typeof Reg], u64(v!));
  cpu.rflags = flags;
  cpu.rip = CODE;
  cpu.step();
  expect(cpu.rip).toBe(CODE + BigInt(bytes.length));
  return cpu;
}
const reg = (cpu: Cpu, r: keyof typeof Reg): bigint => cpu.getReg(Reg[r]);

describe('operands', () => {
  it('AH..BH without REX, SPL with any REX', () => {
    expect(reg(exec([0xb4, 0x12], { RAX: 0xffffn }), 'RAX')).toBe(0x12ffn); // mov ah, 0x12
    expect(reg(exec([0x00, 0xe0], { RAX: 0x0203n }), 'RAX')).toBe(0x0205n); // add al, ah
    expect(reg(exec([0x40, 0x00, 0xc4], { RAX: 1n, RSP: 0x1000n }), 'RSP')).toBe(0x1001n); // add spl, al
    expect(reg(exec([0x0f, 0xb6, 0xc5], { RCX: 0xab00n }), 'RAX')).toBe(0xabn); // movzx eax, ch
  });

  it('32-bit writes zero-extend, 8/16-bit writes merge', () => {
    expect(reg(exec([0xb8, 0xff, 0xff, 0xff, 0xff], { RAX: -1n }), 'RAX')).toBe(0xffffffffn);
    expect(reg(exec([0xff, 0xc0], { RAX: 0x1_0000_0001n }), 'RAX')).toBe(2n); // inc eax
    expect(reg(exec([0x66, 0xc1, 0xc0, 0x04], { RAX: 0x1234_1234n }), 'RAX')).toBe(0x1234_2341n); // rol ax, 4
  });

  it('RIP-relative, SIB and displacement addressing', () => {
    const { cpu, mem } = machine([0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00]); // mov rax,[rip+0x10]
    mem.write64(CODE + 7n + 0x10n, 0x1122334455667788n);
    cpu.rip = CODE;
    cpu.step();
    expect(reg(cpu, 'RAX')).toBe(0x1122334455667788n);
    const b = machine([0x48, 0x8b, 0x44, 0xcb, 0x10]); // mov rax,[rbx+rcx*8+0x10]
    b.mem.write64(DATA + 0x10n + 24n, 77n);
    b.cpu.setReg(Reg.RBX, DATA);
    b.cpu.setReg(Reg.RCX, 3n);
    b.cpu.rip = CODE;
    b.cpu.step();
    expect(reg(b.cpu, 'RAX')).toBe(77n);
    // lea rax,[rbx+rcx*4-8] wraps at 64 bits
    expect(reg(exec([0x48, 0x8d, 0x44, 0x8b, 0xf8], { RBX: 4n, RCX: 1n }), 'RAX')).toBe(0n);
    expect(reg(exec([0x48, 0x8d, 0x44, 0x8b, 0xf8], { RBX: 0n, RCX: 1n }), 'RAX')).toBe(u64(-4n));
  });

  it('fs/gs segment overrides add the segment base', () => {
    const { cpu, mem } = machine([0x65, 0x48, 0x8b, 0x04, 0x25, 0x20, 0x00, 0x00, 0x00]); // mov rax, gs:[0x20]
    mem.write64(DATA + 0x20n, 0xc0ffeen);
    cpu.gsBase = DATA;
    cpu.rip = CODE;
    cpu.step();
    expect(reg(cpu, 'RAX')).toBe(0xc0ffeen);
    const f = machine([0x64, 0x8b, 0x07]); // mov eax, fs:[rdi]
    f.mem.write32(DATA + 0x108n, 0x5a5a);
    f.cpu.fsBase = DATA + 0x100n;
    f.cpu.setReg(Reg.RDI, 8n);
    f.cpu.rip = CODE;
    f.cpu.step();
    expect(reg(f.cpu, 'RAX')).toBe(0x5a5an);
  });
});

describe('arithmetic flags', () => {
  it('adc/sbb chain the carry; inc keeps CF; neg sets CF for non-zero', () => {
    const c1 = exec([0x48, 0x11, 0xc8], { RAX: -1n, RCX: 0n }, CF); // adc rax, rcx
    expect(reg(c1, 'RAX')).toBe(0n);
    expect(c1.rflags & (CF | ZF)).toBe(CF | ZF);
    const c2 = exec([0x19, 0xc8], { RAX: 0n, RCX: 0n }, CF); // sbb eax, ecx
    expect(reg(c2, 'RAX')).toBe(0xffffffffn);
    expect(c2.rflags & (CF | SF)).toBe(CF | SF);
    const c3 = exec([0xff, 0xc0], { RAX: 0x7fffffffn }, CF); // inc eax
    expect(c3.rflags & (CF | OF | SF)).toBe(CF | OF | SF);
    const c4 = exec([0x48, 0xf7, 0xd8], { RAX: 5n }); // neg rax
    expect(reg(c4, 'RAX')).toBe(u64(-5n));
    expect(c4.rflags & CF).toBe(CF);
  });

  it('setcc/cmovcc read the flags of the last arithmetic instruction', () => {
    const { cpu } = machine([0x48, 0x39, 0xc8, 0x0f, 0x9c, 0xc0, 0x48, 0x0f, 0x42, 0xd9]);
    // cmp rax, rcx; setl al; cmovb rbx, rcx
    cpu.setReg(Reg.RAX, u64(-1n));
    cpu.setReg(Reg.RCX, 1n);
    cpu.setReg(Reg.RBX, 9n);
    cpu.rip = CODE;
    cpu.step();
    cpu.step();
    expect(reg(cpu, 'RAX') & 0xffn).toBe(1n); // -1 < 1 signed
    cpu.step();
    expect(reg(cpu, 'RBX')).toBe(9n); // 0xff..ff is not below 1 unsigned
  });

  it('bsf/popcnt/bt', () => {
    const b = exec([0x48, 0x0f, 0xbc, 0xc1], { RCX: 0x100n << 32n }); // bsf rax, rcx
    expect(reg(b, 'RAX')).toBe(40n);
    expect(b.rflags & ZF).toBe(0n);
    expect(reg(exec([0xf3, 0x48, 0x0f, 0xb8, 0xc1], { RCX: -1n }), 'RAX')).toBe(64n); // popcnt
    expect(exec([0x48, 0x0f, 0xba, 0xe0, 0x3f], { RAX: 1n << 63n }).rflags & CF).toBe(CF); // bt rax, 63
  });
});

describe('shifts', () => {
  it('count 0 leaves flags alone; counts are masked', () => {
    const c = exec([0xd3, 0xe0], { RAX: 1n, RCX: 32n }, ZF | CF); // shl eax, cl (cl & 31 = 0)
    expect(reg(c, 'RAX')).toBe(1n);
    expect(c.rflags & (ZF | CF)).toBe(ZF | CF);
    const d = exec([0xd3, 0xe0], { RAX: 0x80000001n, RCX: 1n }); // shl eax, 1
    expect(reg(d, 'RAX')).toBe(2n);
    expect(d.rflags & (CF | OF)).toBe(CF | OF);
    expect(reg(exec([0x48, 0xc1, 0xf8, 0x3f], { RAX: 1n << 63n }), 'RAX')).toBe(u64(-1n)); // sar rax, 63
  });
});

describe('multiply and divide', () => {
  it('mul/div use the full 128-bit rdx:rax', () => {
    const m = exec([0x48, 0xf7, 0xe1], { RAX: -1n, RCX: -1n }); // mul rcx
    expect(reg(m, 'RDX')).toBe(u64(-2n));
    expect(reg(m, 'RAX')).toBe(1n);
    expect(m.rflags & (CF | OF)).toBe(CF | OF);
    const d = exec([0x48, 0xf7, 0xf1], { RDX: 5n, RAX: 7n, RCX: 10n }); // div rcx
    const n = (5n << 64n) | 7n;
    expect(reg(d, 'RAX')).toBe(n / 10n);
    expect(reg(d, 'RDX')).toBe(n % 10n);
    const i = exec([0x48, 0x6b, 0xc1, 0x0a], { RCX: 1n << 62n }); // imul rax, rcx, 10
    expect(reg(i, 'RAX')).toBe(u64((1n << 62n) * 10n));
    expect(i.rflags & (CF | OF)).toBe(CF | OF);
  });

  it('cqo/cdqe sign-extend', () => {
    expect(reg(exec([0x48, 0x99], { RAX: 1n << 63n }), 'RDX')).toBe(u64(-1n));
    expect(reg(exec([0x48, 0x98], { RAX: 0x80000000n }), 'RAX')).toBe(u64(-0x80000000n));
  });
});

describe('atomics and misc', () => {
  it('cmpxchg16b compares rdx:rax and stores rcx:rbx', () => {
    const { cpu, mem } = machine([0x48, 0x0f, 0xc7, 0x0f]);
    mem.write64(DATA, 1n);
    mem.write64(DATA + 8n, 2n);
    cpu.setReg(Reg.RDI, DATA);
    cpu.setReg(Reg.RAX, 1n);
    cpu.setReg(Reg.RDX, 2n);
    cpu.setReg(Reg.RBX, 3n);
    cpu.setReg(Reg.RCX, 4n);
    cpu.rip = CODE;
    cpu.step();
    expect(cpu.rflags & ZF).toBe(ZF);
    expect([mem.read64(DATA), mem.read64(DATA + 8n)]).toEqual([3n, 4n]);
    cpu.rip = CODE;
    cpu.step(); // now differs: rdx:rax loaded from memory
    expect(cpu.rflags & ZF).toBe(0n);
    expect([reg(cpu, 'RAX'), reg(cpu, 'RDX')]).toEqual([3n, 4n]);
  });

  it('xadd and xchg', () => {
    const { cpu, mem } = machine([0x0f, 0xc1, 0x07]); // xadd [rdi], eax
    mem.write32(DATA, 10);
    cpu.setReg(Reg.RDI, DATA);
    cpu.setReg(Reg.RAX, 5n);
    cpu.rip = CODE;
    cpu.step();
    expect(mem.read32(DATA)).toBe(15);
    expect(reg(cpu, 'RAX')).toBe(10n);
    const x = exec([0x48, 0x91], { RAX: 1n, RCX: 2n }); // xchg rax, rcx
    expect([reg(x, 'RAX'), reg(x, 'RCX')]).toEqual([2n, 1n]);
  });

  it('cpuid describes the synthetic CPU; rdtsc counts retired instructions', () => {
    const c = exec([0x0f, 0xa2], { RAX: 0n });
    const vendor = Buffer.alloc(12);
    vendor.writeUInt32LE(Number(reg(c, 'RBX')), 0);
    vendor.writeUInt32LE(Number(reg(c, 'RDX')), 4);
    vendor.writeUInt32LE(Number(reg(c, 'RCX')), 8);
    expect(vendor.toString('latin1')).toBe('RumpEmulated');
    expect(cpuidLeaf(0x80000001, 0)[3] & (1 << 29)).not.toBe(0); // long mode
    const { cpu } = machine([0x0f, 0x31, 0x0f, 0x31]);
    cpu.rip = CODE;
    cpu.step();
    const t0 = (reg(cpu, 'RDX') << 32n) | reg(cpu, 'RAX');
    cpu.step();
    const t1 = (reg(cpu, 'RDX') << 32n) | reg(cpu, 'RAX');
    expect(t1).toBeGreaterThan(t0);
  });

  it('bswap, pushf/popf, enter/leave', () => {
    expect(reg(exec([0x48, 0x0f, 0xc8], { RAX: 0x0102030405060708n }), 'RAX')).toBe(
      0x0807060504030201n,
    );
    const { cpu } = machine([0x9c, 0x9d]);
    cpu.rflags = CF | ZF;
    cpu.rip = CODE;
    cpu.step();
    cpu.rflags = 0n;
    cpu.step();
    expect(cpu.rflags & (CF | ZF)).toBe(CF | ZF);
    const e = machine([0xc8, 0x10, 0x00, 0x00, 0xc9]); // enter 16,0; leave
    const sp = e.cpu.getReg(Reg.RSP);
    e.cpu.setReg(Reg.RBP, 0x1234n);
    e.cpu.rip = CODE;
    e.cpu.step();
    expect(reg(e.cpu, 'RBP')).toBe(sp - 8n);
    expect(reg(e.cpu, 'RSP')).toBe(sp - 8n - 16n);
    e.cpu.step();
    expect([reg(e.cpu, 'RSP'), reg(e.cpu, 'RBP')]).toEqual([sp, 0x1234n]);
  });
});

describe('string instructions', () => {
  const run = (code: number[], ...args: bigint[]): { cpu: Cpu; r: bigint } => {
    const m = machine(code);
    return { cpu: m.cpu, r: m.cpu.call(CODE, ...args) };
  };

  it('repne scasb finds a NUL (strlen)', () => {
    const { cpu } = machine([
      0x48, 0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff, 0x31, 0xc0, 0xf2, 0xae, 0x48, 0xf7, 0xd1, 0x48,
      0x8d, 0x41, 0xff, 0xc3,
    ]);
    cpu.memory.write(DATA, Buffer.from('hello, world\0'));
    expect(cpu.call(CODE, DATA)).toBe(12n);
  });

  it('rep movsb forward and backward (DF), rep stosq, repe cmpsb', () => {
    // memcpy: mov rax,rdi; mov rcx,rdx; rep movsb; ret
    const a = run([0x48, 0x89, 0xf8, 0x48, 0x89, 0xd1, 0xf3, 0xa4, 0xc3]);
    a.cpu.memory.write(DATA, Buffer.from('abcdefgh'));
    expect(a.cpu.call(CODE, DATA + 0x100n, DATA, 8n)).toBe(DATA + 0x100n);
    expect(Buffer.from(a.cpu.memory.read(DATA + 0x100n, 8)).toString()).toBe('abcdefgh');
    expect(a.cpu.getReg(Reg.RCX)).toBe(0n);
    // overlapping forward copy by one replicates the first byte, as the element loop does
    a.cpu.call(CODE, DATA + 1n, DATA, 4n);
    expect(Buffer.from(a.cpu.memory.read(DATA, 6)).toString()).toBe('aaaaaf');
    // backward: std; mov rcx,rdx; rep movsb; cld; ret  (rsi/rdi point at the last byte)
    const b = machine([0xfd, 0x48, 0x89, 0xd1, 0xf3, 0xa4, 0xfc, 0xc3]);
    b.mem.write(DATA, Buffer.from('12345'));
    b.cpu.call(CODE, DATA + 6n, DATA + 4n, 5n);
    expect(Buffer.from(b.mem.read(DATA, 7)).toString()).toBe('1212345');
    // memset64: mov rax,rsi; mov rcx,rdx; rep stosq; ret
    const c = machine([0x48, 0x89, 0xf0, 0x48, 0x89, 0xd1, 0xf3, 0x48, 0xab, 0xc3]);
    c.cpu.call(CODE, DATA, 0x0102030405060708n, 3n);
    expect([c.mem.read64(DATA), c.mem.read64(DATA + 16n), c.mem.read64(DATA + 24n)]).toEqual([
      0x0102030405060708n,
      0x0102030405060708n,
      0n,
    ]);
    // memcmp-ish: mov rcx,rdx; repe cmpsb; setne al; movzx eax,al; ret
    const d = machine([0x48, 0x89, 0xd1, 0xf3, 0xa6, 0x0f, 0x95, 0xc0, 0x0f, 0xb6, 0xc0, 0xc3]);
    d.mem.write(DATA, Buffer.from('abcdXabcdY'));
    expect(d.cpu.call(CODE, DATA, DATA + 5n, 4n)).toBe(0n);
    expect(d.cpu.call(CODE, DATA, DATA + 5n, 5n)).toBe(1n);
  });
});
