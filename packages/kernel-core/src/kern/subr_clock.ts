/**
 * dev/clock_subr.c: conversions between POSIX seconds and `struct clock_ymdhms` (proleptic
 * Gregorian, UTC), which file systems storing calendar dates use (msdosfs's DOS timestamps,
 * cd9660's ISO 9660 dates go through their own code). Layout: dt_year (uint64) at 0, then
 * dt_mon, dt_day, dt_wday, dt_hour, dt_min, dt_sec, one byte each at 8..13.
 */
import { errno } from '../abi/netbsd-10.99/errno.js';
import type { Kernel } from '../kernel.js';

export interface ClockYmdhms {
  year: number;
  mon: number;
  day: number;
  wday: number;
  hour: number;
  min: number;
  sec: number;
}

const SECS_PER_DAY = 86400;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Days from 1970-01-01 to the first of January of `year` (year >= 1970). */
function daysToYear(year: number): number {
  const y = year - 1;
  const leaps = (n: number) => Math.floor(n / 4) - Math.floor(n / 100) + Math.floor(n / 400);
  return (year - 1970) * 365 + leaps(y) - leaps(1969);
}

/** clock_ymdhms_to_secs: -1 for years before 1970 (as NetBSD). Months are 1..12. */
export function ymdhmsToSecs(dt: ClockYmdhms): number {
  if (dt.year < 1970) return -1;
  let days = daysToYear(dt.year);
  if (isLeap(dt.year) && dt.mon > 2) days++;
  for (let i = 1; i < dt.mon && i <= 12; i++) days += MONTH_DAYS[i - 1]!;
  days += dt.day - 1;
  return ((days * 24 + dt.hour) * 60 + dt.min) * 60 + dt.sec;
}

/** clock_secs_to_ymdhms: undefined (EINVAL) for negative times. */
export function secsToYmdhms(secs: number): ClockYmdhms | undefined {
  if (secs < 0) return undefined;
  let days = Math.floor(secs / SECS_PER_DAY);
  let rsec = secs % SECS_PER_DAY;
  const wday = (days + 4) % 7;
  let year = 1970 + Math.floor(days / 366);
  while (daysToYear(year + 1) <= days) year++;
  days -= daysToYear(year);
  let mon = 1;
  for (;;) {
    const len = MONTH_DAYS[mon - 1]! + (mon === 2 && isLeap(year) ? 1 : 0);
    if (days < len) break;
    days -= len;
    mon++;
  }
  const hour = Math.floor(rsec / 3600);
  rsec %= 3600;
  return { year, mon, day: days + 1, wday, hour, min: Math.floor(rsec / 60), sec: rsec % 60 };
}

export function registerClock(k: Kernel): void {
  const m = k.mem;
  k.ksyms.function('clock_ymdhms_to_secs', 'clock', (cpu) => {
    const dt = cpu.arg(0);
    const s = ymdhmsToSecs({
      year: Number(m.read64(dt)),
      mon: m.read8(dt + 8n),
      day: m.read8(dt + 9n),
      wday: m.read8(dt + 10n),
      hour: m.read8(dt + 11n),
      min: m.read8(dt + 12n),
      sec: m.read8(dt + 13n),
    });
    return BigInt.asUintN(64, BigInt(s));
  });
  k.ksyms.function('clock_secs_to_ymdhms', 'clock', (cpu) => {
    const secs = BigInt.asIntN(64, cpu.arg(0));
    const dt = cpu.arg(1);
    const r = secs < 0n ? undefined : secsToYmdhms(Number(secs));
    if (!r) return errno.EINVAL;
    m.write64(dt, BigInt(r.year));
    m.write8(dt + 8n, r.mon);
    m.write8(dt + 9n, r.day);
    m.write8(dt + 10n, r.wday);
    m.write8(dt + 11n, r.hour);
    m.write8(dt + 12n, r.min);
    m.write8(dt + 13n, r.sec);
    return 0;
  });
}
