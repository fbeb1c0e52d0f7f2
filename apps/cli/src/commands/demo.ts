/**
 * `rump demo`: the classic rump scenario end to end on an embedded image, as a transcript of the
 * commands it runs (each through this CLI's own main): list, read, copy in, read back, df, copy
 * out. With NetBSD's ffs.kmod (from -m or the module path) on the embedded FFSv2 image; without
 * one, it says how to get it and runs the same scenario with the project's tinyfs.kmod on a
 * tinyfs image made on the spot. The embedded files live next to the bundle (dist/demo/, copied
 * by build.mjs) or, when run from source, in the repository.
 */
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { mkfsTinyfs } from '@rump/tinyfs';
import type { Command, CommandContext } from '../cli/command.js';
import { EXIT_OK, OperationError } from '../cli/errors.js';
import { describeModuleFile, type FoundModule, moduleCandidates } from '../modules.js';

/** Where the embedded files are: next to the bundle, or in the repository (source runs). */
const DEMO_FILES: Readonly<Record<string, readonly string[]>> = {
  'tiny-ffs2.img.gz': ['./demo/tiny-ffs2.img.gz', '../../fixtures/tiny-ffs2.img.gz'],
  'tinyfs.kmod': ['./demo/tinyfs.kmod', '../../../../tools/test-modules/kmod/tinyfs.kmod'],
};

/** The host path of embedded file `name`. */
export function demoFile(name: keyof typeof DEMO_FILES & string): string {
  const tried = (DEMO_FILES[name] ?? []).map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  const hit = tried.find((p) => existsSync(p));
  if (!hit)
    throw new OperationError(
      `the demo's ${name} is missing (looked in ${tried.join(', ')}); rebuild with pnpm build`,
    );
  return hit;
}

const TINYFS_README =
  'This is a test file system for the rump kernel project,\n' +
  'made by @rump/tinyfs and read by tinyfs.kmod inside the rump kernel.\n';

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** NetBSD's ffs.kmod from -m or the module path, if the user has one. */
function findFfs(ctx: CommandContext): FoundModule | undefined {
  for (const m of ctx.global.modules) {
    const found = describeModuleFile(m);
    if (found.name === 'ffs') return found;
  }
  const hit = moduleCandidates('ffs', ctx.global.modulePath).find(isFile);
  return hit ? describeModuleFile(hit) : undefined;
}

/** A tinyfs image with the same tree as the FFS one. */
function tinyfsImage(): Uint8Array {
  return mkfsTinyfs({
    time: 1736553600,
    entries: {
      a_directory: {
        type: 'dir',
        entries: {
          README: { type: 'file', content: TINYFS_README },
        },
      },
    },
  });
}

export const demo: Command = {
  name: 'demo',
  group: 'files',
  usage: ['demo [-m ffs.kmod | --module-path DIRS]'],
  summary: 'run the classic scenario (list, read, copy in and out) on an embedded image',
  description:
    "Copies an embedded FFSv2 image (made with makefs) to a temporary folder and runs, through this CLI, the commands a new user would: ls -lR, cat, put, cat, df, get -r, printing each command line and its output. It uses NetBSD's ffs.kmod from -m or the module path (ufs.kmod, which ffs requires, is looked for in the module path and next to ffs.kmod). Without one it says how to get it and runs the same scenario with the project's example module, tinyfs.kmod, on a tinyfs image. The temporary folder is removed afterwards.",
  options: [],
  operands: { min: 0, max: 0 },
  examples: [
    'rump demo',
    'rump demo -m ~/netbsd/stand/amd64/10.1/modules/ffs/ffs.kmod',
    'rump demo --module-path ~/netbsd/stand/amd64/10.1/modules',
  ],
  async run(ctx) {
    const { main } = await import('../main.js');
    const out = (s: string) => ctx.io.out(s);
    const ffs = findFfs(ctx);
    const dir = mkdtempSync(join(tmpdir(), 'rump-demo-'));
    try {
      const image = join(dir, 'demo.img');
      let modArgs: string[];
      if (ffs) {
        out(`Using NetBSD's ffs.kmod: ${ffs.path}\n\n`);
        writeFileSync(image, gunzipSync(readFileSync(demoFile('tiny-ffs2.img.gz'))));
        // NetBSD's layout is modules/ffs/ffs.kmod next to modules/ufs/ufs.kmod.
        const near = [dirname(ffs.path), dirname(dirname(ffs.path))];
        modArgs = [
          '-m',
          ffs.path,
          ...[...ctx.global.modulePath, ...near].flatMap((d) => ['--module-path', d]),
        ];
      } else {
        out(
          "No ffs.kmod given with -m, found in the module path or in rump's cache. To use NetBSD's own\n" +
            "FFS driver, fetch a release's amd64 module set into the cache (rump fetch-modules --release R;\n" +
            'NetBSD 9 ships it as modules.tgz, NetBSD 10 as modules.tar.xz), or unpack one and run\n' +
            '  rump demo --module-path ./stand/amd64/10.99.12/modules\n' +
            '(this kernel presents NetBSD 10.99.12 and loads modules built for that version).\n' +
            "Running the same scenario now with the project's example file system, tinyfs.kmod.\n\n",
        );
        writeFileSync(image, tinyfsImage());
        modArgs = ['-m', demoFile('tinyfs.kmod')];
      }
      const hello = join(dir, 'hello.txt');
      writeFileSync(hello, 'hello from the host\n');
      const got = join(dir, 'got');
      const extra = [
        ...(ctx.global.trace ? ['--trace'] : []),
        ...Array.from({ length: ctx.global.verbose }, () => '-v'),
      ];
      const steps: string[][] = [
        ['ls', '-lR', image],
        ['cat', `${image}:/a_directory/README`],
        ['put', '-p', hello, `${image}:/hello.txt`],
        ['cat', `${image}:/hello.txt`],
        ['df', '-h', image],
        ['get', '-r', `${image}:/a_directory`, got],
      ];
      for (const step of steps) {
        out(`$ rump ${step.join(' ').replaceAll(`${dir}/`, '')}\n`);
        const status = await main([...modArgs, ...extra, ...step], ctx.io, ctx.env);
        if (status !== EXIT_OK) return status;
      }
      out(`$ ls got\n${readdirSync(got).join('\n')}\n`);
      out(
        '\nDone: the image was mounted, read, written and unmounted cleanly by the rump kernel.\n',
      );
      return EXIT_OK;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
