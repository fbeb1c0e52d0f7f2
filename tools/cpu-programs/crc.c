/* CRC32 (table driven, reflected 0xEDB88320), bitwise CRC32C (Castagnoli), Adler-32 and CRC-16/CCITT. */
#include "lib/prog.h"

static u32 table[256];

static void make_table(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static u32 crc32(u32 crc, const u8 *p, size_t n) {
  crc = ~crc;
  while (n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static u32 crc32c_bitwise(const u8 *p, size_t n) {
  u32 crc = ~0u;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & -(crc & 1));
  }
  return ~crc;
}

static u32 adler32(const u8 *p, size_t n) {
  u32 a = 1, b = 0;
  while (n--) {
    a = (a + *p++) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

static u16 crc16_ccitt(const u8 *p, size_t n) {
  u16 crc = 0xffff;
  while (n--) {
    crc ^= (u16)(*p++ << 8);
    for (int k = 0; k < 8; k++) crc = crc & 0x8000 ? (u16)((crc << 1) ^ 0x1021) : (u16)(crc << 1);
  }
  return crc;
}

static u8 data[8192];

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  make_table();
  const char *check = "123456789";
  out_str("check crc32 ");
  out_hex(crc32(0, (const u8 *)check, 9), 8);
  out_str(" crc32c ");
  out_hex(crc32c_bitwise((const u8 *)check, 9), 8);
  out_str(" adler32 ");
  out_hex(adler32((const u8 *)check, 9), 8);
  out_str(" crc16 ");
  out_hex(crc16_ccitt((const u8 *)check, 9), 4);
  out_nl();
  u32 x = 0x9e3779b9;
  for (unsigned long it = 0; it < iters; it++) {
    for (int i = 0; i < 8192; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (u8)x;
    }
    u32 c = crc32(0, data, sizeof data);
    u32 c2 = crc32(crc32(0, data, 1000), data + 1000, sizeof data - 1000);
    u32 cc = crc32c_bitwise(data, 2048);
    u32 ad = adler32(data, sizeof data);
    u16 c16 = crc16_ccitt(data, 1024);
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str(" crc32 ");
      out_hex(c, 8);
      out_str(c == c2 ? " (split ok)" : " (split MISMATCH)");
      out_str(" crc32c ");
      out_hex(cc, 8);
      out_str(" adler ");
      out_hex(ad, 8);
      out_str(" crc16 ");
      out_hex(c16, 4);
      out_nl();
    }
  }
  return out_len();
}
