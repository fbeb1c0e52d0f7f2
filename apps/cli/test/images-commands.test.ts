import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspectModule } from '@rump/elf-linker';
import { MemoryHost } from '@rump/hypercall';
import { createKernel } from '@rump/kernel-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipFixture } from './support/fixtures.js';
import { ffsImage, gptDisk, label, mbrSector, put, SECTOR } from './support/images.js';
import { NETBSD_FFS_KMOD, TEST_MODULES, TINYFS_KMOD } from './support/modules.js';
import { runRump as rump } from './support/run.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rump-cmd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('rump parts', () => {
  it('lists an MBR disk with a NetBSD disklabel and the file systems found', async () => {
    const disk = new Uint8Array(8192 * SECTOR);
    put(
      disk,
      0,
      mbrSector([
        { type: 0x0c, start: 63, sectors: 1000 },
        { type: 0xa9, start: 2048, sectors: 6144 },
      ]),
    );
    disk.set(ffsImage(4096 * SECTOR, { ufs: 2, loc: 65536, volname: 'root' }), 2048 * SECTOR);
    // The label sits in sector 1 of the NetBSD partition, inside FFS's unused boot area.
    put(
      disk,
      2049,
      label({
        partitions: [
          { offset: 2048, size: 4096, fstype: 7 },
          { offset: 6144, size: 2048, fstype: 1 },
        ],
      }),
    );
    const img = file('mbr.img', disk);
    const r = await rump('parts', img);
    expect(r.status).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${img}: 4.0 MiB (4194304 bytes), MBR + disklabel`);
    expect(lines[1]).toMatch(/^ID +START +SECTORS +SIZE +TYPE +NAME +FS$/);
    expect(lines.find((l) => l.startsWith('2a '))).toMatch(
      /^2a +2048 +4096 +2\.0 MiB +4\.2BSD +ffs — FFSv2 \(UFS2\), little-endian.* 'root'$/,
    );
    expect(lines.find((l) => l.startsWith('2b '))).toMatch(/swap/);
    expect(lines.find((l) => l.startsWith('1 '))).toMatch(/FAT32 \(LBA\) \(0x0c\)/);
    const j = JSON.parse((await rump('--json', 'parts', img)).out);
    expect(j.schemes).toEqual(['mbr', 'disklabel']);
    expect(j.partitions.find((p: { id: string }) => p.id === '2a').fs.fs).toBe('ffs');
  });

  it('lists a GPT disk, and says when there is no table', async () => {
    const img = file(
      'gpt.img',
      gptDisk(2048, [
        { type: '49f48d5a-b10e-11dc-b99b-0019d1879648', first: 34, last: 1000, name: 'root' },
      ]),
    );
    expect((await rump('parts', img)).out).toMatch(/GPT\n.*\n1 +34 +967 .*NetBSD FFS +root/);
    const plain = file('plain.img', new Uint8Array(4096));
    expect((await rump('parts', plain)).out).toMatch(
      /no partition table\nnote: no MBR: no 0x55aa signature/,
    );
    const missing = await rump('parts', join(dir, 'nope.img'));
    expect([missing.status, missing.err]).toEqual([
      1,
      `rump: parts: ${join(dir, 'nope.img')}: No such file or directory (ENOENT)\n`,
    ]);
  });
});

describe('rump detect', () => {
  it('prints the match and every reason for the real makefs images', async () => {
    const img = file('ffs1.img', gunzipFixture('tiny-ffs1.img.gz'));
    const r = await rump('detect', img);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(
      /^.*ffs1\.img: ffs \(FFSv1 \(UFS1\), little-endian, 8192\/1024-byte blocks\/fragments\)\n {2}module: ffs\.kmod\n {2}\+ ffs +fs_magic 0x11954 in the superblock at byte 8192\n {2}- lfs /,
    );
  });

  it('finds a file system in a partition by @N, --partition and --offset', async () => {
    const disk = new Uint8Array(4096 * SECTOR);
    put(disk, 0, mbrSector([{ type: 0x83, start: 1024, sectors: 2048 }]));
    disk.set(ffsImage(2048 * SECTOR, { ufs: 1, loc: 8192 }), 1024 * SECTOR);
    const img = file('p.img', disk);
    for (const args of [
      [`${img}@1`],
      ['--partition', '1', img],
      ['--offset', `${1024 * SECTOR}`, img],
      ['--offset', '1024s', img],
    ]) {
      const r = await rump('detect', ...args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.out).toMatch(/: ffs \(FFSv1/);
    }
    const whole = await rump('detect', img);
    expect(whole.status).toBe(1);
    expect(whole.err).toMatch(
      /is a partitioned disk \(mbr\): try .*p\.img@1 \(rump parts .*\) \(EFTYPE\)/,
    );
    expect((await rump('detect', `${img}@7`)).err).toMatch(
      /no partition 7 \(partitions: 1\) \(ENXIO\)/,
    );
    expect((await rump('detect', `${img}@1`, '--partition', '2')).status).toBe(2);
    expect((await rump('detect', '--offset', '1G', img)).err).toMatch(/past the end of the image/);
  });
});

describe('rump modinfo', () => {
  const tinyfs = TINYFS_KMOD;

  it('shows name, class, version, sizes and the import check', async () => {
    const r = await rump('modinfo', tinyfs);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(
      /^name: +tinyfs\nclass: +VFS\nrequires: +\(none\)\nversion: +10\.99\.12 \(mi_version 1099001200\): accepted by this kernel \(10\.99\.12\)\nsize: +\d+ bytes loaded: text \d+/,
    );
    expect(r.out).toMatch(
      /imports: +\d+: \d+ implemented, \d+ not implemented yet, 0 unknown to this kernel/,
    );
  });

  it('classifies every import exactly as the kernel symbol table does (--json)', async () => {
    const j = JSON.parse((await rump('--json', 'modinfo', tinyfs)).out);
    const info = inspectModule(readFileSync(tinyfs));
    expect(j.name).toBe('tinyfs');
    expect(j.version).toEqual({ number: 1099001200, release: '10.99.12' });
    expect(j.imports.map((i: { name: string }) => i.name)).toEqual([
      ...info.imports,
      ...info.weakImports,
    ]);
    const k = createKernel({ host: new MemoryHost() });
    for (const i of j.imports as { name: string; status: string }[]) {
      const sym = k.ksyms.get(i.name);
      expect(i.status, i.name).toBe(
        sym ? (sym.implemented ? 'implemented' : 'unimplemented') : 'missing',
      );
    }
    const c = j.kernel.counts;
    expect(c.implemented + c.unimplemented + c.missing + c['from-module']).toBe(j.imports.length);
    expect(j.exports.length).toBe(info.exports.length);
  });

  it('names imports the kernel lacks, lists sections and exports on request', async () => {
    const r = await rump(
      'modinfo',
      '--sections',
      '--exports',
      join(TEST_MODULES, 'kc_unresolved.kmod'),
    );
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/Unknown to this kernel \(the module will not link\): [1-9]/);
    expect(r.out).toMatch(/\nSections:\n +idx +name +type +size/);
    expect(r.out).toMatch(/\nExports:\n +symbol +type +section +size/);
  });

  it('finds exports of required modules with -m', async () => {
    const j = JSON.parse(
      (
        await rump(
          '--json',
          '-m',
          join(TEST_MODULES, 'link_requires_a.kmod'),
          'modinfo',
          join(TEST_MODULES, 'link_requires_b.kmod'),
        )
      ).out,
    );
    expect(j.required).toEqual(['link_requires_a']);
    expect(j.kernel.counts['from-module']).toBe(j.imports.length);
    expect(j.imports.every((i: { where: string }) => i.where === 'link_requires_a')).toBe(true);
    const alone = JSON.parse(
      (await rump('--json', 'modinfo', join(TEST_MODULES, 'link_requires_b.kmod'))).out,
    );
    expect(alone.kernel.counts.missing).toBe(alone.imports.length);
    expect(alone.notes[0]).toMatch(/required module link_requires_a: needs link_requires_a\.kmod/);
  });

  it('fails in one line on missing files and non-modules', async () => {
    const missing = await rump('modinfo', join(dir, 'x.kmod'));
    expect([missing.status, missing.err]).toEqual([
      1,
      `rump: modinfo: ${join(dir, 'x.kmod')}: No such file or directory (ENOENT)\n`,
    ]);
    const junk = await rump('modinfo', file('junk.kmod', new Uint8Array(100)));
    expect(junk.err).toMatch(/junk\.kmod: not a loadable kernel module: /);
  });

  it.skipIf(!NETBSD_FFS_KMOD)('reads the real ffs.kmod (needs RUMP_TEST_FFS_KMOD)', async () => {
    const j = JSON.parse(
      (
        await rump(
          '--json',
          '--module-path',
          dirname(NETBSD_FFS_KMOD!),
          'modinfo',
          NETBSD_FFS_KMOD!,
        )
      ).out,
    );
    expect([j.name, j.class, j.required]).toEqual(['ffs', 'VFS', ['ufs', 'wapbl']]);
    expect(j.imports.length).toBe(314);
    expect(j.notes).toContain('required module wapbl: built into this kernel');
  });
});
