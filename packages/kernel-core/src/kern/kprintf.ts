/**
 * The kernel printf engine (subr_prf.c's kprintf): NetBSD's directives and flags — `%d %i %u %o
 * %x %X %c %s %p %D %O %U %%`, the `h hh l ll q j z t` length modifiers, `- + space # 0` flags,
 * width and precision (also as `*`), `%n` consumed without output as the kernel does — plus the
 * traditional BSD `%b` bit-field directive (value, then a "\base\bitname..." description).
 * Arguments come from an ArgSource: the registers and stack of a variadic call, or a SysV va_list.
 */
import type { Cpu, GuestMemory } from '@rump/cpu-x86';

/** The next integer-class (INTEGER/POINTER) argument as its raw 64-bit register value. */
export interface ArgSource {
  next(): bigint;
}

/** Arguments of a variadic host call: integer argument `first` onwards (SysV registers, then stack). */
export class CallArgs implements ArgSource {
  constructor(
    private readonly cpu: Cpu,
    private index: number,
  ) {}
  next(): bigint {
    return this.cpu.arg(this.index++);
  }
}

/**
 * A SysV AMD64 va_list (struct __va_list_tag: gp_offset, fp_offset, overflow_arg_area,
 * reg_save_area). Integer arguments come from the register save area while gp_offset < 48, then
 * from the overflow area; the va_list is updated in guest memory as va_arg would.
 */
export class VaListArgs implements ArgSource {
  constructor(
    private readonly mem: GuestMemory,
    private readonly ap: bigint,
  ) {}
  next(): bigint {
    const gp = this.mem.read32(this.ap);
    if (gp < 48) {
      const v = this.mem.read64(this.mem.read64(this.ap + 16n) + BigInt(gp));
      this.mem.write32(this.ap, gp + 8);
      return v;
    }
    const overflow = this.mem.read64(this.ap + 8n);
    const v = this.mem.read64(overflow);
    this.mem.write64(this.ap + 8n, overflow + 8n);
    return v;
  }
}

/** Arguments given directly (tests, kernel-internal printing). */
export class ListArgs implements ArgSource {
  private i = 0;
  constructor(private readonly values: readonly (bigint | number)[]) {}
  next(): bigint {
    const v = this.values[this.i++];
    return v === undefined ? 0n : BigInt.asUintN(64, BigInt(v));
  }
}

const LADJUST = 1;
const ALT = 2;
const ZEROPAD = 4;
const SHORTINT = 8;
const LONG64 = 16; // l, ll, q, j, z, t: all 64-bit on amd64

const LOWER = '0123456789abcdef';
const UPPER = '0123456789ABCDEF';

/** Reads a NUL-terminated byte string (at most `max` bytes) from guest memory. */
export function readBytes(mem: GuestMemory, addr: bigint, max = 1 << 20): number[] {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = mem.read8(addr + BigInt(i));
    if (b === 0) break;
    out.push(b);
  }
  return out;
}

function latin1(bytes: readonly number[]): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** Formats `fmt` (bytes) with `args`; returns the output bytes. */
export function kformat(mem: GuestMemory, fmt: readonly number[], args: ArgSource): number[] {
  const out: number[] = [];
  const put = (s: string) => {
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i++]!;
    if (c !== 0x25 /* % */) {
      out.push(c);
      continue;
    }
    let flags = 0;
    let width = 0;
    let prec = -1;
    let sign = '';
    let ch = '';
    parse: for (;;) {
      if (i >= fmt.length) return out;
      ch = String.fromCharCode(fmt[i++]!);
      switch (ch) {
        case ' ':
          if (!sign) sign = ' ';
          continue;
        case '#':
          flags |= ALT;
          continue;
        case '*': {
          const w = Number(BigInt.asIntN(32, args.next()));
          if (w >= 0) width = w;
          else {
            width = -w;
            flags |= LADJUST;
          }
          continue;
        }
        case '-':
          flags |= LADJUST;
          continue;
        case '+':
          sign = '+';
          continue;
        case '.': {
          if (fmt[i] === 0x2a) {
            i++;
            const n = Number(BigInt.asIntN(32, args.next()));
            prec = n < 0 ? -1 : n;
            continue;
          }
          let n = 0;
          while (i < fmt.length && fmt[i]! >= 0x30 && fmt[i]! <= 0x39)
            n = n * 10 + fmt[i++]! - 0x30;
          prec = n;
          continue;
        }
        case '0':
          flags |= ZEROPAD;
          continue;
        case 'h':
          flags |= SHORTINT;
          continue;
        case 'l':
        case 'q':
        case 'j':
        case 't':
        case 'z':
          flags |= LONG64;
          continue;
        default:
          if (ch >= '1' && ch <= '9') {
            let n = ch.charCodeAt(0) - 0x30;
            while (i < fmt.length && fmt[i]! >= 0x30 && fmt[i]! <= 0x39)
              n = n * 10 + fmt[i++]! - 0x30;
            width = n;
            continue;
          }
          break parse;
      }
    }

    let body = '';
    let prefix = '';
    let isNumber = false;
    let digits = '';
    const sarg = (): bigint => {
      const v = args.next();
      if (flags & LONG64) return BigInt.asIntN(64, v);
      if (flags & SHORTINT) return BigInt.asIntN(16, v);
      return BigInt.asIntN(32, v);
    };
    const uarg = (): bigint => {
      const v = args.next();
      if (flags & LONG64) return BigInt.asUintN(64, v);
      if (flags & SHORTINT) return BigInt.asUintN(16, v);
      return BigInt.asUintN(32, v);
    };
    const number = (v: bigint, base: number, upper = false) => {
      isNumber = true;
      const xd = upper ? UPPER : LOWER;
      let s = '';
      if (v === 0n && prec === 0) s = '';
      else {
        let x = v;
        do {
          s = xd[Number(x % BigInt(base))] + s;
          x /= BigInt(base);
        } while (x > 0n);
      }
      if (flags & ALT) {
        if (base === 8 && s[0] !== '0') s = `0${s}`;
        if (base === 16 && v !== 0n) prefix = upper ? '0X' : '0x';
      }
      digits = s;
    };
    switch (ch) {
      case 'c':
        body = String.fromCharCode(Number(args.next() & 0xffn));
        sign = '';
        break;
      case 'D':
      case 'd':
      case 'i': {
        if (ch === 'D') flags |= LONG64;
        let v = sarg();
        if (v < 0n) {
          v = -v;
          sign = '-';
        }
        number(v, 10);
        break;
      }
      case 'n':
        args.next();
        continue;
      case 'O':
      case 'o':
        if (ch === 'O') flags |= LONG64;
        sign = '';
        number(uarg(), 8);
        break;
      case 'p': {
        sign = '';
        flags |= LONG64;
        const v = uarg();
        number(v, 16);
        prefix = '0x';
        break;
      }
      case 's': {
        const p = args.next();
        sign = '';
        if (p === 0n) body = '(null)';
        else body = latin1(readBytes(mem, p, prec >= 0 ? prec : 1 << 20));
        if (prec >= 0 && body.length > prec) body = body.slice(0, prec);
        break;
      }
      case 'U':
      case 'u':
        if (ch === 'U') flags |= LONG64;
        sign = '';
        number(uarg(), 10);
        break;
      case 'X':
      case 'x':
        sign = '';
        number(uarg(), 16, ch === 'X');
        break;
      case 'b': {
        // Traditional BSD: %b takes an int and a description: first byte the output base, then
        // for each bit a byte holding the bit number (1 = least significant) and its name.
        const v = BigInt.asUintN(32, args.next());
        const desc = readBytes(mem, args.next(), 4096);
        const base = desc[0] ?? 10;
        let s = '';
        let x = v;
        do {
          s = LOWER[Number(x % BigInt(base))] + s;
          x /= BigInt(base);
        } while (x > 0n);
        if (base === 16) s = `0x${s}`;
        let any = false;
        let j = 1;
        while (j < desc.length) {
          const bit = desc[j++]!;
          let name = '';
          while (j < desc.length && desc[j]! > 32) name += String.fromCharCode(desc[j++]!);
          if (v & (1n << BigInt(bit - 1))) {
            s += (any ? ',' : '<') + name;
            any = true;
          }
        }
        if (any) s += '>';
        body = s;
        sign = '';
        break;
      }
      case '%':
        body = '%';
        sign = '';
        break;
      default:
        // kprintf prints an unknown directive's character as if it were %c.
        body = ch;
        sign = '';
        break;
    }

    if (isNumber) {
      // precision gives the minimum digit count; zero padding applies only without one.
      if (prec >= 0 && digits.length < prec) digits = digits.padStart(prec, '0');
      const lead = sign + prefix;
      let field = lead + digits;
      if (field.length < width) {
        if (flags & LADJUST) field = field.padEnd(width, ' ');
        else if (flags & ZEROPAD && prec < 0)
          field = lead + digits.padStart(width - lead.length, '0');
        else field = field.padStart(width, ' ');
      }
      put(field);
    } else {
      let field = body;
      if (field.length < width)
        field = flags & LADJUST ? field.padEnd(width, ' ') : field.padStart(width, ' ');
      put(field);
    }
  }
  return out;
}
