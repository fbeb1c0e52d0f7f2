/**
 * What a conformance test sees: a fresh private image mounted read-write on /mnt in a fresh
 * kernel, a folder of its own to work in, and helpers to reboot and mount the image again.
 */
import type { FileSystemApi, Rump, RumpSys } from '@rump/syscalls';
import type { ImageSpec } from '../images/tree.js';
import type { Machine } from '../machine.js';
import { Unsupported } from '../outcome.js';
import type { FsProfile } from '../profile.js';

export interface ConformanceTest {
  /** `category/name`, stable: reports and --filter use it. */
  readonly id: string;
  readonly title: string;
  /** The image the test needs (merged over the default 2 MiB, 256 inodes). */
  readonly image?: Partial<ImageSpec>;
  /** Runs only with --slow (or `slow: true` in the options): the long categories. */
  readonly slow?: boolean;
  /** Features from FsProfile.unsupported this test needs. */
  readonly needs?: readonly string[];
  /** The test fills the whole file system: refused on user images larger than this (bytes). */
  readonly fills?: boolean;
  run(t: TestContext): void;
}

export class TestContext {
  /** Lines the test logged, shown with its result. */
  readonly notes: string[] = [];

  constructor(
    readonly profile: FsProfile,
    readonly machine: Machine,
    /** The folder the test owns: /mnt on a fresh image, a new folder on a user's image. */
    readonly dir: string,
    /** Number of entries for the "thousands of entries" tests. */
    readonly manyEntries: number,
  ) {}

  get rump(): Rump {
    return this.machine.rump;
  }
  get sys(): RumpSys {
    return this.machine.rump.sys;
  }
  get fs(): FileSystemApi {
    return this.machine.rump.fs;
  }

  /** A path in the test's folder. */
  p(...parts: string[]): string {
    return [this.dir, ...parts].join('/');
  }

  /** reboot(2) (which must unmount cleanly), then a fresh kernel mounts the image again. */
  remount(flags = 0): void {
    if (!this.machine.reboot()) throw new Error('reboot did not unmount every file system cleanly');
    this.machine.start(flags);
  }

  /** The module legitimately cannot do this: the test ends as "unsupported". */
  unsupported(reason: string): never {
    throw new Unsupported(reason);
  }

  note(s: string): void {
    this.notes.push(s);
  }
}

export function defineTests(
  category: string,
  tests: readonly (Omit<ConformanceTest, 'id'> & { name: string })[],
): ConformanceTest[] {
  return tests.map(({ name, ...t }) => ({ ...t, id: `${category}/${name}` }));
}
