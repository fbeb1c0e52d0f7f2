import { describe, expect, it } from 'vitest';
import { ffsMetadataRegions, readFfsSuperblock } from '../src/images/ffs-image.js';
import { CLASSIC_TREE, FIXTURES, fixtureManifests, loadFixture } from '../src/images/fixtures.js';
import { makefsFfs } from '../src/images/makefs.js';
import { sha256, treeManifest } from '../src/images/manifest.js';
import { Machine, MNT } from '../src/machine.js';
import { makeTinyfsImage, tinyfsProfile } from '../src/profiles/tinyfs.js';
import { FFS_PROFILES, HAVE_FFS, HAVE_MAKEFS, NEED_FFS } from './support.js';

describe('images', () => {
  it('has a recorded manifest (sha256 and tree hashes) for every committed fixture', () => {
    const m = fixtureManifests();
    for (const f of FIXTURES) {
      expect(m[f.name]?.sha256).toBe(sha256(loadFixture(f.name)));
      expect(Object.keys(m[f.name]!.tree)).toContain('/a_directory/README');
    }
  });

  it('makes the tinyfs fixture again byte for byte from its tree', () => {
    const again = makeTinyfsImage({ sizeBytes: 256 * 1024, inodes: 32, tree: CLASSIC_TREE });
    expect(sha256(again)).toBe(fixtureManifests()['tinyfs-classic.img']!.sha256);
  });

  it('shows the recorded tree when tinyfs mounts its fixture', () => {
    const m = new Machine(tinyfsProfile(), loadFixture('tinyfs-classic.img'));
    const tree = treeManifest(m.start(MNT.RDONLY));
    m.reboot();
    expect(tree).toEqual(fixtureManifests()['tinyfs-classic.img']!.tree);
  });

  it('reads the FFS fixtures superblocks and finds their metadata', () => {
    for (const [name, version] of [
      ['tiny-ffs1.img', 1],
      ['tiny-ffs2.img', 2],
    ] as const) {
      const img = loadFixture(name);
      const sb = readFfsSuperblock(img);
      expect([sb.version, sb.offset, sb.clean, sb.inodeSize]).toEqual([
        version,
        8192,
        true,
        version === 1 ? 128 : 256,
      ]);
      const kinds = new Set(ffsMetadataRegions(img).map((r) => r.kind));
      expect(kinds).toEqual(new Set(['superblock', 'cylinder-group', 'inode', 'directory']));
    }
  });

  it.skipIf(!HAVE_MAKEFS)(
    'makes FFS images of the asked size and version with makefs (needs makefs)',
    () => {
      const spec = { sizeBytes: 1 << 20, inodes: 64, tree: CLASSIC_TREE };
      const a = makefsFfs(spec, 2);
      expect(a.length).toBe(1 << 20);
      expect(readFfsSuperblock(a).version).toBe(2);
      expect(readFfsSuperblock(makefsFfs(spec, 1)).version).toBe(1);
    },
  );

  it.skipIf(!HAVE_FFS || !HAVE_MAKEFS)(
    `shows the same tree on ffs as on tinyfs for the same spec ${NEED_FFS} and makefs`,
    () => {
      for (const p of FFS_PROFILES) {
        const m = new Machine(
          p,
          p.makeImage({ sizeBytes: 1 << 20, inodes: 64, tree: CLASSIC_TREE }),
        );
        const tree = treeManifest(m.start(MNT.RDONLY));
        m.reboot();
        expect(tree).toEqual(fixtureManifests()['tinyfs-classic.img']!.tree);
      }
    },
  );
});
