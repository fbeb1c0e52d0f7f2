/* A small first-fit allocator with boundary tags and coalescing over a static arena,
   driven by a pseudo-random sequence of allocations, writes and frees. */
#include "lib/prog.h"

#define ARENA (256 * 1024)
static _Alignas(16) u8 arena[ARENA];

/* Block header: size of the block including the header (multiple of 16), low bit = used. */
typedef struct block {
  u64 size;
  struct block *next_free; /* valid only while free */
  struct block *prev_free;
  u64 pad;
} block;

static block *free_list;
static u64 allocs, frees, fails, splits, merges;

#define HDR sizeof(block)
static u64 bsize(block *b) { return b->size & ~(u64)15; }
static block *next_block(block *b) { return (block *)((u8 *)b + bsize(b)); }
static u64 *footer(block *b) { return (u64 *)((u8 *)b + bsize(b) - 8); }

static void unlink_free(block *b) {
  if (b->prev_free) b->prev_free->next_free = b->next_free;
  else free_list = b->next_free;
  if (b->next_free) b->next_free->prev_free = b->prev_free;
}

static void push_free(block *b) {
  b->next_free = free_list;
  b->prev_free = 0;
  if (free_list) free_list->prev_free = b;
  free_list = b;
  *footer(b) = b->size;
}

static void heap_init(void) {
  free_list = 0;
  allocs = frees = fails = splits = merges = 0;
  block *b = (block *)arena;
  b->size = ARENA;
  push_free(b);
}

static void *heap_alloc(u64 n) {
  u64 need = (n + HDR + 8 + 15) & ~(u64)15;
  for (block *b = free_list; b; b = b->next_free) {
    if (bsize(b) < need) continue;
    unlink_free(b);
    if (bsize(b) - need >= HDR + 32) {
      block *rest = (block *)((u8 *)b + need);
      rest->size = bsize(b) - need;
      push_free(rest);
      b->size = need;
      splits++;
    }
    b->size |= 1;
    *footer(b) = b->size;
    allocs++;
    return (u8 *)b + HDR;
  }
  fails++;
  return 0;
}

static void heap_free(void *p) {
  block *b = (block *)((u8 *)p - HDR);
  b->size &= ~(u64)1;
  frees++;
  block *n = next_block(b);
  if ((u8 *)n < arena + ARENA && !(n->size & 1)) {
    unlink_free(n);
    b->size += bsize(n);
    merges++;
  }
  if ((u8 *)b > arena) {
    u64 prev_size = *(u64 *)((u8 *)b - 8);
    if (!(prev_size & 1)) {
      block *pb = (block *)((u8 *)b - (prev_size & ~(u64)15));
      unlink_free(pb);
      pb->size += bsize(b);
      b = pb;
      merges++;
    }
  }
  push_free(b);
}

static u64 heap_check(u64 *free_bytes, u64 *blocks) {
  u64 total = 0;
  *free_bytes = 0;
  *blocks = 0;
  for (block *b = (block *)arena; (u8 *)b < arena + ARENA; b = next_block(b)) {
    if (!(b->size & 1)) *free_bytes += bsize(b);
    total += bsize(b);
    (*blocks)++;
    if (*footer(b) != b->size) return 0;
  }
  return total;
}

static u32 rng_state;
static u32 rnd(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

unsigned long run(char *out, unsigned long cap, unsigned long iters) {
  out_init(out, cap);
  static u8 *live[512];
  static u32 live_len[512];
  for (unsigned long it = 0; it < iters; it++) {
    heap_init();
    rng_state = 7 + (u32)it;
    memset(live, 0, sizeof live);
    u64 sum = 0, corrupt = 0;
    for (int step = 0; step < 6000; step++) {
      u32 slot = rnd() % 512;
      if (live[slot]) {
        for (u32 i = 0; i < live_len[slot]; i++)
          if (live[slot][i] != (u8)(slot + i)) corrupt++;
        heap_free(live[slot]);
        live[slot] = 0;
      } else {
        u32 n = rnd() % (rnd() % 8 == 0 ? 4000 : 200) + 1;
        u8 *p = heap_alloc(n);
        if (p) {
          for (u32 i = 0; i < n; i++) p[i] = (u8)(slot + i);
          live[slot] = p;
          live_len[slot] = n;
          sum += (u64)(p - arena);
        }
      }
    }
    for (int s = 0; s < 512; s++)
      if (live[s]) heap_free(live[s]);
    u64 free_bytes, blocks;
    u64 total = heap_check(&free_bytes, &blocks);
    if (it == 0 || it == iters - 1) {
      out_str("iter ");
      out_udec(it);
      out_str(" allocs ");
      out_udec(allocs);
      out_str(" frees ");
      out_udec(frees);
      out_str(" fails ");
      out_udec(fails);
      out_str(" splits ");
      out_udec(splits);
      out_str(" merges ");
      out_udec(merges);
      out_str(" offsets ");
      out_hex(sum, 12);
      out_str(" corrupt ");
      out_udec(corrupt);
      out_str(" arena ");
      out_udec(total);
      out_str(" free ");
      out_udec(free_bytes);
      out_str(" blocks ");
      out_udec(blocks);
      out_nl();
    }
  }
  return out_len();
}
