/**
 * Detection checked against images made by real tools: makefs (a port of NetBSD's) for FFS in
 * both byte orders and block sizes and for ISO 9660, mke2fs for ext2/3/4. Skipped where a tool is
 * missing; the committed makefs fixtures keep the default run complete.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileImage } from '../src/disk/image.js';
import { detectFileSystem } from '../src/fsdetect.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_MAKEFS = has('makefs');
const HAVE_MKE2FS = has('mke2fs');

const dir = mkdtempSync(join(tmpdir(), 'rump-mkfs-'));
const tree = join(dir, 'tree');
mkdirSync(tree);
writeFileSync(join(tree, 'README'), 'hello\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function detect(path: string) {
  const img = new FileImage(path);
  try {
    return detectFileSystem(img).best;
  } finally {
    img.close();
  }
}

describe('detection of tool-made images', () => {
  it.skipIf(!HAVE_MAKEFS)(
    'FFS from makefs: v1/v2, little/big-endian, 8k and 64k blocks (needs makefs)',
    () => {
      const cases = [
        ['-B', 'le', '-o', 'version=1', 'FFSv1 (UFS1), little-endian, 8192/1024'],
        ['-B', 'be', '-o', 'version=1', 'FFSv1 (UFS1), big-endian, 8192/1024'],
        ['-B', 'le', '-o', 'version=2', 'FFSv2 (UFS2), little-endian, 8192/1024'],
        ['-B', 'be', '-o', 'version=2', 'FFSv2 (UFS2), big-endian, 8192/1024'],
        [
          '-B',
          'le',
          '-o',
          'version=1,bsize=65536,fsize=8192',
          'FFSv1 (UFS1), little-endian, 65536/8192',
        ],
        [
          '-B',
          'le',
          '-o',
          'version=2,bsize=65536,fsize=8192',
          'FFSv2 (UFS2), little-endian, 65536/8192',
        ],
      ];
      cases.forEach((c, i) => {
        const path = join(dir, `ffs${i}.img`);
        execFileSync('makefs', ['-s', '4m', '-t', 'ffs', ...c.slice(0, 4), path, tree], {
          stdio: 'ignore',
        });
        const best = detect(path);
        expect(best?.fs).toBe('ffs');
        expect(best?.variant).toContain(c[4]);
      });
    },
  );

  it.skipIf(!HAVE_MAKEFS)('ISO 9660 from makefs (needs makefs)', () => {
    const path = join(dir, 'cd.img');
    execFileSync('makefs', ['-t', 'cd9660', '-o', 'label=RUMPCD', path, tree], { stdio: 'ignore' });
    const best = detect(path);
    expect([best?.fs, best?.label]).toEqual(['cd9660', 'RUMPCD']);
  });

  it.skipIf(!HAVE_MKE2FS)('ext2, ext3 and ext4 from mke2fs (needs mke2fs)', () => {
    for (const [type, kind] of [
      ['ext2', 'ext2,'],
      ['ext3', 'ext3 (journal)'],
      ['ext4', 'ext4'],
    ]) {
      const path = join(dir, `${type}.img`);
      execFileSync('mke2fs', ['-q', '-F', '-t', type!, '-L', `vol-${type}`, path, '4M'], {
        stdio: 'ignore',
      });
      const best = detect(path);
      expect([best?.fs, best?.label]).toEqual(['ext2fs', `vol-${type}`]);
      expect(best?.variant).toContain(kind);
    }
  });
});
