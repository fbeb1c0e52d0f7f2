/* Switch tables: a bytecode interpreter with a dense switch (compiled to a jump table) running
   a prime sieve and a collatz program, plus a sparse switch (compiled to a compare tree). */
#include "lib/prog.h"

enum op { PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIVM, AND, OR, XOR, SHL, SHR, LT, EQ,
          JMP, JZ, JNZ, LOAD, STORE, PRINT, HALT, INC, DEC, NOT, NEG, ROT };

static i64 stack[256];
static i64 vars[16];
static u64 printed_sum, printed_count;

static u64 exec(const i64 *code) {
  int sp = 0;
  u64 steps = 0;
  for (long pc = 0;; steps++) {
    i64 a, b;
    switch ((enum op)code[pc++]) {
    case PUSH: stack[sp++] = code[pc++]; break;
    case POP: sp--; break;
    case DUP: stack[sp] = stack[sp - 1]; sp++; break;
    case SWAP: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
    case OVER: stack[sp] = stack[sp - 2]; sp++; break;
    case ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case DIVM:
      a = stack[sp - 2]; b = stack[sp - 1];
      stack[sp - 2] = a / b; stack[sp - 1] = a % b;
      break;
    case AND: sp--; stack[sp - 1] &= stack[sp]; break;
    case OR: sp--; stack[sp - 1] |= stack[sp]; break;
    case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
    case SHL: sp--; stack[sp - 1] = (i64)((u64)stack[sp - 1] << (stack[sp] & 63)); break;
    case SHR: sp--; stack[sp - 1] = stack[sp - 1] >> (stack[sp] & 63); break;
    case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
    case JMP: pc = code[pc]; break;
    case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
    case JNZ: pc = stack[--sp] ? code[pc] : pc + 1; break;
    case LOAD: stack[sp++] = vars[code[pc++]]; break;
    case STORE: vars[code[pc++]] = stack[--sp]; break;
    case PRINT: printed_sum = printed_sum * 1000003 + (u64)stack[--sp]; printed_count++; break;
    case HALT: return steps;
    case INC: stack[sp - 1]++; break;
    case DEC: stack[sp - 1]--; break;
    case NOT: stack[sp - 1] = !stack[sp - 1]; break;
    case NEG: stack[sp - 1] = -stack[sp - 1]; break;
    case ROT: a = stack[sp - 3]; stack[sp - 3] = stack[sp - 2]; stack[sp - 2] = stack[sp - 1]; stack[sp - 1] = a; break;
    }
  }
}

/* Trial-division primes below vars[0] (offsets in the comments are the jump targets). */
static const i64 primes[] = {
  PUSH, 2, STORE, 1,                              /* 0: n = 2 */
  LOAD, 1, LOAD, 0, LT, JZ, 51,                   /* 4: while n < limit */
  PUSH, 2, STORE, 2,                              /* 11: d = 2 */
  LOAD, 2, DUP, MUL, LOAD, 1, SWAP, LT, JNZ, 41,  /* 15: n < d*d → prime */
  LOAD, 1, LOAD, 2, DIVM, SWAP, POP, JZ, 44,      /* 25: n % d == 0 → next */
  LOAD, 2, INC, STORE, 2, JMP, 15,                /* 34: d++ */
  LOAD, 1, PRINT,                                 /* 41: print n */
  LOAD, 1, INC, STORE, 1, JMP, 4,                 /* 44: n++ */
  HALT,                                           /* 51 */
};

static int sparse(u32 v) {
  switch (v) {
  case 1: return 10;
  case 7: return 11;
  case 100: return 12;
  case 1000: return 13;
  case 4096: return 14;
  case 65535: return 15;
  case 100000: return 16;
  case 0x7fffffff: return 17;
  case 0x80000000u: return 18;
  case 0xffffffffu: return 19;
  default: return (int)(v & 7);
  }
}

static const char *name(int k) {
  switch (k) {
  case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
  case 4: return "four"; case 5: return "five"; case 6: return "six"; case 7: return "seven";
  case 8: return "eight"; case 9: return "nine"; case 10: return "ten"; case 11: return "eleven";
  default: return "many";
  }
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  for (unsigned long it = 0; it < iters; it++) {
    printed_sum = printed_count = 0;
    vars[0] = 3000;
    u64 steps = exec(primes);
    u64 sp = 0;
    u32 x = 0x12345 + (u32)it;
    for (int i = 0; i < 20000; i++) {
      x = x * 1664525u + 1013904223u;
      sp += (u64)sparse(i % 3 == 0 ? x : i % 3 == 1 ? x >> 20 : (u32)(1000 * (i & 1)));
    }
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str(" primes ");
      out_udec(printed_count);
      out_str(" sum ");
      out_hex(printed_sum, 16);
      out_str(" steps ");
      out_udec(steps);
      out_str(" sparse ");
      out_udec(sp);
      out_char(' ');
      for (int k = 0; k < 13; k++) {
        out_str(name((k * 5 + (int)it) % 13));
        out_char(k == 12 ? '\n' : ',');
      }
    }
  }
  return out_len();
}
