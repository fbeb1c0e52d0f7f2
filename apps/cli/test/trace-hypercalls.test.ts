/**
 * --trace prints hypercalls (the kernel's calls to its Host) in order with the system calls and
 * vnode operations: on the real rump kernel with tinyfs.kmod, the block reads of `rump cat` are
 * whole tinyfs blocks of the image, and the one that brings the file's data in happens inside
 * read(2); `rump put` writes blocks back. With NetBSD's ffs.kmod (RUMP_TEST_FFS_KMOD and
 * RUMP_TEST_MODULE_PATH), the FFSv2 superblock read is seen at SBLOCK_UFS2. The TracingHost itself
 * is checked on a MemoryHost.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryHost } from '@rump/hypercall';
import { mountArgs } from '@rump/syscalls';
import { TINYFS_BSIZE } from '@rump/tinyfs';
import { describe, expect, it } from 'vitest';
import { formatMountArgs } from '../src/trace.js';
import { TracingHost } from '../src/trace-host.js';
import { gunzipFixture, scratchDir } from './support/fixtures.js';
import { HAS_NETBSD_FFS, netbsdFfs } from './support/modules.js';
import { runRump, runRumpTinyfs } from './support/run.js';
import { etcMotd, writeTinyfs } from './support/tinyfs-images.js';

const dir = scratchDir('rump-trace-hyp-');

const CONTENT = 'hypercalls are traced\n'.repeat(500); // 11000 bytes: three blocks
const image = join(dir, 'hyp.img');
writeTinyfs(image, { spareBlocks: 16, spareInodes: 8, entries: etcMotd(CONTENT) });

interface Bio {
  readonly line: number;
  readonly op: string;
  readonly off: number;
  readonly len: number;
  readonly result: number;
}

const BIO =
  /^trace: +HYP {2}bio\(#\d+, (read|write), off=(\d+), len=(\d+)(?:, sync)?\) = (\d+) \(\d+us\)$/;

function bios(lines: readonly string[]): Bio[] {
  const out: Bio[] = [];
  lines.forEach((l, line) => {
    const m = BIO.exec(l);
    if (m) out.push({ line, op: m[1]!, off: +m[2]!, len: +m[3]!, result: +m[4]! });
  });
  return out;
}

describe('--trace hypercalls', () => {
  it('rump cat shows the block reads of the image, tinyfs block by block, inside the system calls', async () => {
    const r = await runRumpTinyfs('cat', '--trace', `${image}:/etc/motd`);
    expect(r.status, r.err).toBe(0);
    expect(r.out).toBe(CONTENT);
    const lines = r.err.split('\n').filter((l) => l !== '');
    const size = readFileSync(image).length;
    // the image is opened as a block device, read-only for a read command
    expect(
      lines.some(
        (l) =>
          l.includes(`HYP  open_bio(${JSON.stringify(image)}, read-only) = #`) &&
          l.endsWith(`(${size / 512} sectors of 512 bytes)`),
      ),
    ).toBe(true);
    const reads = bios(lines);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    for (const b of reads) {
      expect(b.op).toBe('read');
      expect(b.off % TINYFS_BSIZE).toBe(0);
      expect(b.len % TINYFS_BSIZE).toBe(0);
      expect(b.result).toBe(b.len);
      expect(b.off + b.len).toBeLessThanOrEqual(size);
    }
    // the superblock (block 0) is read while mounting
    const mount = lines.findIndex((l) => l.startsWith('trace: CALL mount("tinyfs"'));
    const mounted = lines.findIndex((l, i) => i > mount && l.startsWith('trace: RET  mount'));
    expect(reads.some((b) => b.off === 0 && b.line > mount && b.line < mounted)).toBe(true);
    // the file's first data block comes in during read(2), and the line is indented inside it
    const dataAt = Buffer.from(readFileSync(image)).indexOf(CONTENT.slice(0, 64));
    expect(dataAt % TINYFS_BSIZE).toBe(0);
    const read = lines.findIndex((l) => l.startsWith('trace: CALL read('));
    const readRet = lines.findIndex((l, i) => i > read && l.startsWith('trace: RET  read'));
    const dataRead = reads.find((b) => b.off <= dataAt && dataAt < b.off + b.len);
    expect(dataRead).toBeDefined();
    expect(dataRead!.line).toBeGreaterThan(read);
    expect(dataRead!.line).toBeLessThan(readRet);
    expect(lines[dataRead!.line]).toMatch(/^trace: {3}HYP {2}bio\(/);
    // the module file is read through the host too, and the kernel console is traced by line
    expect(lines.some((l) => /HYP {2}pread\(#\d+, off=0, len=\d+\) = \d+/.test(l))).toBe(true);
    expect(lines).toContain('trace:   HYP  console("rump kernel halted")');
    // boot-time hypercalls come before the first system call, unindented
    const first = lines.findIndex((l) => l.startsWith('trace: CALL '));
    expect(
      lines.slice(0, first).some((l) => /^trace: HYP {2}getparam\("RUMP_NCPU"\) = "\d+"$/.test(l)),
    ).toBe(true);
  });

  it('rump put shows block writes, and the image opened read-write', async () => {
    const local = join(dir, 'new.txt');
    writeFileSync(local, 'x'.repeat(3 * TINYFS_BSIZE));
    const r = await runRumpTinyfs('--trace', 'put', local, `${image}:/etc/new.txt`);
    expect(r.status, r.err).toBe(0);
    const lines = r.err.split('\n').filter((l) => l !== '');
    expect(lines.some((l) => /HYP {2}open_bio\(".*", read-write\) = #\d+/.test(l))).toBe(true);
    const writes = bios(lines).filter((b) => b.op === 'write');
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      expect(w.off % TINYFS_BSIZE).toBe(0);
      expect(w.len % TINYFS_BSIZE).toBe(0);
    }
    // the new file's three blocks reach the image
    expect(writes.reduce((n, w) => n + w.len, 0)).toBeGreaterThanOrEqual(3 * TINYFS_BSIZE);
  });

  it.skipIf(!HAS_NETBSD_FFS)(
    'shows ffs reading the FFSv2 superblock at 64 KiB, 8 KiB long (needs RUMP_TEST_FFS_KMOD and RUMP_TEST_MODULE_PATH)',
    async () => {
      const ffs = join(dir, 'ffs2.img');
      writeFileSync(ffs, gunzipFixture('tiny-ffs2.img.gz'));
      const r = await runRump(...netbsdFfs(), '--trace', 'ls', ffs);
      expect(r.status, r.err).toBe(0);
      const lines = r.err.split('\n').filter((l) => l !== '');
      const mount = lines.findIndex((l) => l.startsWith('trace: CALL mount("ffs"'));
      const sb = bios(lines).find((b) => b.line > mount && b.off === 65536);
      expect(sb?.len).toBe(8192);
    },
  );

  it('prints no hypercalls (nothing at all) without --trace', async () => {
    const r = await runRumpTinyfs('cat', `${image}:/etc/motd`);
    expect(r.status).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('TracingHost', () => {
  it('reports calls, results, errors and console lines, and forwards everything', () => {
    const inner = new MemoryHost();
    inner.addFile('/disk.img', new Uint8Array(4096).fill(7));
    const lines: string[] = [];
    const host = new TracingHost(inner, (l) => lines.push(l));
    expect(() => host.open('/missing', { access: 'read-only' })).toThrow();
    expect(lines.at(-1)).toBe('open("/missing", read-only) = -1 ENOENT');
    const f = host.open('/disk.img', { access: 'read-only' });
    const buf = new Uint8Array(100);
    expect(f.pread(buf, 4000)).toBe(96);
    expect(buf[0]).toBe(7);
    expect(lines.at(-1)).toMatch(/^pread\(#1, off=4000, len=100\) = 96 \(\d+us\)$/);
    f.close();
    const d = host.openBlockDevice('/disk.img', { access: 'read-write', sectorSize: 1024 });
    expect(lines.at(-1)).toBe(
      'open_bio("/disk.img", read-write, sector=1024) = #2 (4 sectors of 1024 bytes)',
    );
    d.bio({ op: 'write', sector: 2, data: new Uint8Array(1024), sync: true });
    expect(lines.at(-1)).toMatch(/^bio\(#2, write, off=2048, len=1024, sync\) = 1024 \(\d+us\)$/);
    expect(() => d.bio({ op: 'read', sector: 4, data: new Uint8Array(1024) })).toThrow();
    expect(lines.at(-1)).toMatch(/^bio\(#2, read, off=4096, len=1024\) = -1 EINVAL/);
    for (const c of Buffer.from('hello\n')) host.putchar(c);
    expect(lines.at(-1)).toBe('console("hello")');
    expect(lines.filter((l) => l.startsWith('console')).length).toBe(1);
    host.getRandom(new Uint8Array(16));
    expect(lines.at(-1)).toBe('getrandom(16) = 16');
    expect(host.clockGettime('wall')).toBeGreaterThan(0n);
    expect(lines.at(-1)).toMatch(/^clock_gettime\(wall\) = \d+$/);
    expect(() => host.getParam('NOPE')).toThrow();
    expect(lines.at(-1)).toBe('getparam("NOPE") = -1 ENOENT');
  });

  it('reports an asynchronous block I/O when it completes', async () => {
    const inner = new MemoryHost();
    inner.addFile('/d', new Uint8Array(2048));
    const lines: string[] = [];
    const host = new TracingHost(inner, (l) => lines.push(l));
    const d = host.openBlockDevice('/d', { access: 'read-only' });
    const n = await new Promise<number>((resolve) =>
      d.bioAsync({ op: 'read', sector: 1, data: new Uint8Array(512) }, (_e, bytes) =>
        resolve(bytes),
      ),
    );
    expect(n).toBe(512);
    expect(lines.slice(-2)[0]).toBe('bio_async(#1, read, off=512, len=512) started');
    expect(lines.at(-1)).toMatch(/^bio_async\(#1, read, off=512, len=512\) = 512 \(\d+us\)$/);
  });
});

describe('formatMountArgs', () => {
  it('shows the size, the pointer fields and every non-zero word', () => {
    expect(formatMountArgs(mountArgs.udf({ fspec: '/dev/rumpimg' }))).toBe(
      '{80 bytes, @0=0x1, @8="/dev/rumpimg", @28=0x7fff, @32=0x27, @36=0x7fff, @40=0x27}',
    );
    expect(formatMountArgs(mountArgs.ufs({ fspec: '/d' }))).toBe('{8 bytes, @0="/d"}');
  });
});
