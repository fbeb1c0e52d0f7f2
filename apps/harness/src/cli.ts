/**
 * The rump-harness command: runs the conformance suite, a scenario or the corruption mode
 * against a file-system module and image, prints a summary, writes JUnit XML and JSON, and
 * exits non-zero when something failed.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { classicScenario } from './classic.js';
import { CONFORMANCE_TESTS } from './conformance/index.js';
import { runConformance } from './conformance/runner.js';
import { runCorruptionSuite } from './corrupt.js';
import { CLASSIC_TREE, FIXTURES, fixtureManifests, loadFixture } from './images/fixtures.js';
import { diffManifests, sha256, treeManifest } from './images/manifest.js';
import { Machine, MNT } from './machine.js';
import type { FsProfile, ModuleFile } from './profile.js';
import { ffsProfile } from './profiles/ffs.js';
import { tinyfsProfile } from './profiles/tinyfs.js';
import { type AnyReport, exitCode, formatReport, toJson, toJunit } from './report.js';
import { runScenario, type Scenario } from './scenario.js';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
}

export const USAGE = `usage: rump-harness COMMAND [options]

commands:
  conformance          run the file-system conformance suite (each test on a fresh private image)
  scenario [NAME|FILE] run a scenario: "classic" (default) or a JSON file of steps
  corrupt              mutate metadata of an image (seeded) and mount and walk each copy
  fixtures             check the committed fixture images against their recorded tree hashes
  list                 list the conformance tests

options:
  --fs NAME            file-system type: tinyfs (default), ffs, or what your module registers
  --module FILE.kmod   module to load with modctl (repeatable, in order)
  --module-path DIR    folder of modules the kernel may load by name (e.g. ufs.kmod for ffs)
  --image FILE         the image to use (read once, never written: runs use private copies)
  --ffs-version 1|2    FFS images made with makefs (default 2)
  --filter TEXT        only conformance tests whose id contains TEXT (repeatable)
  --slow               include the slow categories (a folder with thousands of entries)
  --entries N          entries of the large-folder test (default 2000)
  --seeds N            corruption runs (default 20); --first-seed N (default 1)
  --kinds a,b          corruption region kinds: superblock,cylinder-group,bitmap,inode,directory
  --budget N           guest instructions per kernel entry (corruption default 50000000)
  --junit FILE         write JUnit XML;  --json FILE  write JSON
  --verbose            show test notes
exit code: 0 all passed (unsupported and skipped allowed), 1 failures or panics, 2 usage errors
`;

class UsageError extends Error {}

interface Args {
  command: string;
  positional: string[];
  fs: string | undefined;
  modules: string[];
  modulePath: string[];
  image: string | undefined;
  ffsVersion: 1 | 2;
  filter: string[];
  slow: boolean;
  entries: number | undefined;
  seeds: number;
  firstSeed: number;
  kinds: string[];
  budget: number | undefined;
  junit: string | undefined;
  json: string | undefined;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    command: '',
    positional: [],
    fs: undefined,
    modules: [],
    modulePath: [],
    image: undefined,
    ffsVersion: 2,
    filter: [],
    slow: false,
    entries: undefined,
    seeds: 20,
    firstSeed: 1,
    kinds: [],
    budget: undefined,
    junit: undefined,
    json: undefined,
    verbose: false,
  };
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (!v || !Number.isInteger(n) || n < 0) throw new UsageError(`${flag} needs a whole number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--fs':
        a.fs = value();
        break;
      case '--module':
        a.modules.push(value());
        break;
      case '--module-path':
        a.modulePath.push(value());
        break;
      case '--image':
        a.image = value();
        break;
      case '--ffs-version': {
        const v = value();
        if (v !== '1' && v !== '2') throw new UsageError('--ffs-version is 1 or 2');
        a.ffsVersion = v === '1' ? 1 : 2;
        break;
      }
      case '--filter':
        a.filter.push(value());
        break;
      case '--slow':
        a.slow = true;
        break;
      case '--entries':
        a.entries = num(arg, value());
        break;
      case '--seeds':
        a.seeds = num(arg, value());
        break;
      case '--first-seed':
        a.firstSeed = num(arg, value());
        break;
      case '--kinds':
        a.kinds = value().split(',').filter(Boolean);
        break;
      case '--budget':
        a.budget = num(arg, value());
        break;
      case '--junit':
        a.junit = value();
        break;
      case '--json':
        a.json = value();
        break;
      case '--verbose':
      case '-v':
        a.verbose = true;
        break;
      case '--help':
      case '-h':
        a.command = 'help';
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (!a.command) a.command = arg;
        else a.positional.push(arg);
    }
  }
  return a;
}

function readModule(path: string): ModuleFile {
  if (!existsSync(path)) throw new UsageError(`module ${path}: no such file`);
  return { name: basename(path).replace(/\.kmod$/, ''), bytes: new Uint8Array(readFileSync(path)) };
}

/** Every `.kmod` in the folders, as `NAME.kmod` or `NAME/NAME.kmod`. */
function modulesIn(dirs: readonly string[]): ModuleFile[] {
  const out: ModuleFile[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new UsageError(`--module-path ${dir}: no such folder`);
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      const nested = join(p, `${e}.kmod`);
      if (e.endsWith('.kmod') && statSync(p).isFile()) out.push(readModule(p));
      else if (existsSync(nested)) out.push(readModule(nested));
    }
  }
  return out;
}

/** The profile the options describe. */
export function profileFromArgs(a: Args, env: NodeJS.ProcessEnv): FsProfile {
  const fs = a.fs ?? 'tinyfs';
  if (fs === 'tinyfs') {
    if (a.modules.length > 1) throw new UsageError('tinyfs takes one --module');
    return tinyfsProfile(a.modules[0]);
  }
  if (fs === 'ffs') {
    const ffsKmod =
      a.modules.find((m) => basename(m) === 'ffs.kmod') ?? a.modules[0] ?? env.RUMP_TEST_FFS_KMOD;
    const modulePath = a.modulePath[0] ?? env.RUMP_TEST_MODULE_PATH;
    if (!ffsKmod || !modulePath)
      throw new UsageError(
        '--fs ffs needs --module ffs.kmod and --module-path DIR (with ufs.kmod)',
      );
    return ffsProfile({ ffsKmod, modulePath, version: a.ffsVersion });
  }
  if (a.modules.length === 0) throw new UsageError(`--fs ${fs} needs --module FILE.kmod`);
  return {
    name: fs,
    fstype: fs,
    modules: a.modules.map(readModule),
    modulePath: modulesIn(a.modulePath),
    limits: { nameMax: 255, maxFileSize: 2 ** 40, symlinkMax: 1023 },
    imageMakerMissing: `no image maker for ${fs}: give --image`,
    makeImage: () => {
      throw new UsageError(`no image maker for ${fs}: give --image`);
    },
  };
}

function userImage(a: Args): Uint8Array | undefined {
  if (!a.image) return undefined;
  if (!existsSync(a.image)) throw new UsageError(`--image ${a.image}: no such file`);
  return new Uint8Array(readFileSync(a.image));
}

/** The image a scenario or the corruption mode starts from when no --image is given. */
function defaultImage(profile: FsProfile, a: Args): Uint8Array {
  if (profile.fstype === 'tinyfs') return loadFixture('tinyfs-classic.img');
  if (profile.fstype === 'ffs')
    return profile.imageMakerMissing
      ? loadFixture(a.ffsVersion === 1 ? 'tiny-ffs1.img' : 'tiny-ffs2.img')
      : profile.makeImage({ sizeBytes: 1 << 20, inodes: 64, tree: CLASSIC_TREE });
  throw new UsageError(`--fs ${profile.fstype} needs --image`);
}

function loadScenario(name: string, profile: FsProfile): Scenario {
  if (name === 'classic') return classicScenario(profile);
  if (!existsSync(name)) throw new UsageError(`scenario ${name}: not "classic" and no such file`);
  const s = JSON.parse(readFileSync(name, 'utf8')) as Scenario;
  if (!Array.isArray(s.steps)) throw new UsageError(`scenario ${name}: no "steps" array`);
  return { name: s.name ?? basename(name), description: s.description ?? '', steps: s.steps };
}

function checkFixtures(a: Args, io: Io): AnyReport[] {
  const manifests = fixtureManifests();
  let failed = 0;
  for (const f of FIXTURES) {
    const image = loadFixture(f.name);
    const want = manifests[f.name];
    const lines: string[] = [];
    if (!want) lines.push('no recorded manifest');
    else if (sha256(image) !== want.sha256) lines.push('image hash differs from the recorded one');
    let profile: FsProfile | undefined;
    try {
      profile =
        f.fs === 'tinyfs'
          ? profileFromArgs({ ...a, fs: 'tinyfs', modules: [] }, io.env)
          : profileFromArgs(
              { ...a, fs: 'ffs', ffsVersion: f.name.includes('ffs1') ? 1 : 2 },
              io.env,
            );
    } catch (e) {
      io.out(`  SKIP   ${f.name}: ${(e as Error).message}\n`);
      continue;
    }
    if (want) {
      const m = new Machine(profile, image);
      const got = treeManifest(m.start(MNT.RDONLY));
      m.reboot();
      lines.push(...diffManifests(want.tree, got));
    }
    failed += lines.length ? 1 : 0;
    io.out(`  ${lines.length ? 'FAIL' : 'PASS'}   ${f.name} (${f.description})\n`);
    for (const l of lines) io.out(`         ${l}\n`);
  }
  if (failed) throw new Error(`${failed} fixture(s) differ from their manifests`);
  return [];
}

export function main(argv: readonly string[], io: Io): number {
  let a: Args;
  try {
    a = parseArgs(argv);
    if (!a.command || a.command === 'help') {
      io.out(USAGE);
      return a.command ? 0 : 2;
    }
    const reports: AnyReport[] = [];
    switch (a.command) {
      case 'list':
        for (const t of CONFORMANCE_TESTS)
          io.out(`${t.id.padEnd(30)} ${t.slow ? '(slow) ' : ''}${t.title}\n`);
        return 0;
      case 'fixtures':
        checkFixtures(a, io);
        return 0;
      case 'conformance': {
        const profile = profileFromArgs(a, io.env);
        const image = userImage(a);
        const r = runConformance(profile, CONFORMANCE_TESTS, {
          filter: a.filter,
          slow: a.slow,
          ...(a.entries !== undefined ? { manyEntries: a.entries } : {}),
          ...(image ? { image } : {}),
          ...(a.budget ? { instructionBudget: a.budget } : {}),
          onResult: (t) => {
            if (a.verbose) io.err(`${t.status.padEnd(11)} ${t.id}\n`);
          },
        });
        reports.push(r);
        break;
      }
      case 'scenario': {
        const profile = profileFromArgs(a, io.env);
        const image = userImage(a) ?? defaultImage(profile, a);
        const scenario = loadScenario(a.positional[0] ?? 'classic', profile);
        reports.push(
          runScenario(scenario, profile, image, a.budget ? { instructionBudget: a.budget } : {}),
        );
        break;
      }
      case 'corrupt': {
        const profile = profileFromArgs(a, io.env);
        const image = userImage(a) ?? defaultImage(profile, a);
        reports.push(
          runCorruptionSuite(profile, image, {
            seeds: a.seeds,
            firstSeed: a.firstSeed,
            kinds: a.kinds,
            ...(a.budget ? { instructionBudget: a.budget } : {}),
          }),
        );
        break;
      }
      default:
        throw new UsageError(`unknown command ${a.command}`);
    }
    for (const r of reports) io.out(formatReport(r, { verbose: a.verbose }));
    if (a.junit) writeFileSync(a.junit, toJunit(reports));
    if (a.json) writeFileSync(a.json, toJson(reports));
    return exitCode(reports);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`rump-harness: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.err(`rump-harness: ${(e as Error).message}\n`);
    return 1;
  }
}
