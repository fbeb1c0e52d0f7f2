/**
 * Writes fixtures/tinyfs-classic.img.gz (deterministic: mkfsTinyfs with fixed times) and
 * fixtures/manifests.json: each fixture's sha256 and its tree as the kernel shows it.
 * The FFS fixtures are walked with NetBSD's ffs.kmod, so RUMP_TEST_FFS_KMOD and
 * RUMP_TEST_MODULE_PATH must be set. Run: pnpm exec tsx scripts/record-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MNT } from '@rump/syscalls';
import { CLASSIC_TREE, FIXTURES, type FixtureManifest, loadFixture } from '../src/images/fixtures.js';
import { sha256, treeManifest } from '../src/images/manifest.js';
import { Machine } from '../src/machine.js';
import { ffsProfilesFromEnv } from '../src/profiles/ffs.js';
import { makeTinyfsImage, tinyfsProfile } from '../src/profiles/tinyfs.js';
import { FIXTURES_DIR } from '../src/paths.js';

const tiny = makeTinyfsImage({ sizeBytes: 256 * 1024, inodes: 32, tree: CLASSIC_TREE });
writeFileSync(join(FIXTURES_DIR, 'tinyfs-classic.img.gz'), gzipSync(tiny, { level: 9 }));

const ffs = ffsProfilesFromEnv();
if (ffs.length === 0) throw new Error('set RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH');
const out: Record<string, FixtureManifest> = {};
for (const f of FIXTURES) {
  const image = loadFixture(f.name);
  const profile = f.fs === 'tinyfs' ? tinyfsProfile() : ffs[0]!;
  const m = new Machine(profile, image);
  const rump = m.start(MNT.RDONLY);
  out[f.name] = { sha256: sha256(image), tree: treeManifest(rump) };
  m.reboot();
}
writeFileSync(join(FIXTURES_DIR, 'manifests.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
