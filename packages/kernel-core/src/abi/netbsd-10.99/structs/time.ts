/**
 * Time values (sys/time.h, sys/timespec.h).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const timespec = struct('timespec', 16, {
  tv_sec: f(0, 8, 'time_t'),
  tv_nsec: f(8, 8, 'long int'),
});

export const timeval = struct('timeval', 16, {
  tv_sec: f(0, 8, 'time_t'),
  tv_usec: f(8, 4, 'suseconds_t'),
});

export const bintime = struct('bintime', 16, {
  sec: f(0, 8, 'time_t'),
  frac: f(8, 8, 'uint64_t'),
});
