/*
 * Shared declarations of the freestanding test programs: each program defines
 *   unsigned long run(char *out, unsigned long cap, unsigned long iters);
 * which writes its text output to out (at most cap bytes) and returns the length.
 * iters scales the workload (1 for the tests, more for the benchmark).
 */
#ifndef PROG_H
#define PROG_H

typedef unsigned long size_t;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long i64;
typedef int i32;

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

void out_init(char *buf, unsigned long cap);
unsigned long out_len(void);
void out_char(int c);
void out_str(const char *s);
void out_udec(u64 v);
void out_sdec(i64 v);
void out_hex(u64 v, int digits);
void out_nl(void);

unsigned long run(char *out, unsigned long cap, unsigned long iters);

#endif
