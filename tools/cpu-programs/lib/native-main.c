/* Native wrapper: runs a program's run() in this process and writes its output to stdout.
   usage: prog [iters]   (prints the output, and the CPU nanoseconds run() took on stderr;
   process CPU time rather than wall time, so a busy machine does not inflate it) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

unsigned long run(char *out, unsigned long cap, unsigned long iters);

int main(int argc, char **argv) {
  unsigned long iters = argc > 1 ? strtoul(argv[1], 0, 10) : 1;
  static char buf[1 << 20];
  struct timespec a, b;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
  unsigned long n = run(buf, sizeof buf, iters);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
  if (n > sizeof buf) n = sizeof buf;
  fwrite(buf, 1, n, stdout);
  fprintf(stderr, "%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
  return 0;
}
