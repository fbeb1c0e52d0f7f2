/* Hashing: FNV-1a (32 and 64 bit), SipHash-2-4 and a djb2 over generated messages. */
#include "lib/prog.h"

static u32 fnv1a32(const u8 *p, size_t n) {
  u32 h = 2166136261u;
  while (n--) h = (h ^ *p++) * 16777619u;
  return h;
}

static u64 fnv1a64(const u8 *p, size_t n) {
  u64 h = 14695981039346656037UL;
  while (n--) h = (h ^ *p++) * 1099511628211UL;
  return h;
}

#define ROTL(x, b) (u64)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
  do {                                                                                             \
    v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                     \
    v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                         \
    v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                         \
    v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                     \
  } while (0)

static u64 load64(const u8 *p) {
  u64 v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

static u64 siphash24(const u8 *in, size_t len, u64 k0, u64 k1) {
  u64 v0 = 0x736f6d6570736575UL ^ k0, v1 = 0x646f72616e646f6dUL ^ k1;
  u64 v2 = 0x6c7967656e657261UL ^ k0, v3 = 0x7465646279746573UL ^ k1;
  u64 b = (u64)len << 56;
  const u8 *end = in + len - (len % 8);
  for (; in != end; in += 8) {
    u64 m = load64(in);
    v3 ^= m;
    SIPROUND;
    SIPROUND;
    v0 ^= m;
  }
  switch (len & 7) {
  case 7: b |= (u64)in[6] << 48; /* fall through */
  case 6: b |= (u64)in[5] << 40; /* fall through */
  case 5: b |= (u64)in[4] << 32; /* fall through */
  case 4: b |= (u64)in[3] << 24; /* fall through */
  case 3: b |= (u64)in[2] << 16; /* fall through */
  case 2: b |= (u64)in[1] << 8;  /* fall through */
  case 1: b |= (u64)in[0]; break;
  case 0: break;
  }
  v3 ^= b;
  SIPROUND;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

static u8 msg[4096];

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  u64 acc = 0;
  for (unsigned long it = 0; it < iters; it++) {
    for (int i = 0; i < 4096; i++) msg[i] = (u8)(i * 7 + (i >> 5) + it);
    for (size_t len = 0; len <= 64; len += 1) {
      u64 s = siphash24(msg, len, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL + it);
      acc ^= s + len;
      if (it == 0 && (len < 16 || len == 64)) {
        out_str("sip ");
        out_udec(len);
        out_char(' ');
        out_hex(s, 16);
        out_nl();
      }
    }
    u32 f32 = fnv1a32(msg, sizeof msg);
    u64 f64 = fnv1a64(msg, sizeof msg);
    u64 big = siphash24(msg, sizeof msg, f64, f32);
    u32 djb = 5381;
    for (int i = 0; i < 4096; i++) djb = djb * 33 + msg[i];
    if (it == 0 || it == iters - 1) {
      out_str("fnv32 ");
      out_hex(f32, 8);
      out_str(" fnv64 ");
      out_hex(f64, 16);
      out_str(" sip4k ");
      out_hex(big, 16);
      out_str(" djb2 ");
      out_hex(djb, 8);
      out_nl();
    }
  }
  /* The reference vector of the SipHash paper: key 00..0f, message 00..0e → a129ca6149be45e5. */
  u8 ref[15];
  for (int i = 0; i < 15; i++) ref[i] = (u8)i;
  out_str("sip-ref ");
  out_hex(siphash24(ref, 15, 0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL), 16);
  out_str(" acc ");
  out_hex(acc, 16);
  out_nl();
  return out_len();
}
