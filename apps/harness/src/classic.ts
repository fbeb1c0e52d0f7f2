/**
 * The classic scenario, line for line: register the module and the image with etfs, load the
 * module with modctl, mkdir /mnt, mount read-write, open /mnt/a_directory/README, read and print
 * it, ftruncate it to 0, pwrite the replacement, reboot. A fresh kernel then mounts the image
 * again and must read the replacement, and the file system must be marked clean.
 */
import { ok } from './check.js';
import type { FsProfile } from './profile.js';
import type { Scenario, Step } from './scenario.js';

export const CLASSIC_README = '/mnt/a_directory/README';
export const CLASSIC_REPLACEMENT = 'You already read me. Now go away.\n';

function bootSteps(profile: FsProfile, mountFlags: string): Step[] {
  return [
    { call: 'boot', title: 'rump_init()' },
    ...profile.modules.flatMap((m): Step[] => [
      { call: 'etfsRegister', args: [`/${m.name}.kmod`, `module:${m.name}`, 'REG'] },
      { call: 'modctlLoad', args: [`/${m.name}.kmod`], expect: m.name },
    ]),
    { call: 'etfsRegister', args: ['/fs.img', 'image', 'BLK'] },
    { call: 'mkdir', args: ['/mnt', 0o755] },
    {
      call: 'mountImage',
      args: [{ flags: mountFlags }],
      title: `mount(${profile.fstype}, /mnt, ${mountFlags})`,
    },
  ];
}

export function classicScenario(profile: FsProfile, replacement = CLASSIC_REPLACEMENT): Scenario {
  return {
    name: 'classic',
    description:
      'read README, ftruncate, pwrite, reboot; a fresh kernel reads the new text; the image is clean',
    steps: [
      ...bootSteps(profile, '0'),
      { call: 'open', args: [CLASSIC_README, { flags: 'O_RDWR' }], save: 'fd' },
      { call: 'read', args: [{ var: 'fd' }, { buffer: 4096, save: 'buf' }], save: 'n' },
      {
        call: 'bufferText',
        args: [{ var: 'buf' }, { var: 'n' }],
        print: true,
        check: (v) => ok(typeof v === 'string' && v.length > 0, 'the README is not empty'),
      },
      { call: 'ftruncate', args: [{ var: 'fd' }, 0] },
      {
        call: 'pwrite',
        args: [{ var: 'fd' }, { text: replacement }, 0],
        expect: new TextEncoder().encode(replacement).length,
      },
      {
        call: 'fstat',
        args: [{ var: 'fd' }],
        check: (st) =>
          ok(
            (st as { size: bigint }).size === BigInt(replacement.length),
            'fstat size is the replacement length',
          ),
      },
      { call: 'reboot', args: [0], expect: true, title: 'reboot(0)' },
      ...bootSteps(profile, 'MNT_RDONLY'),
      { call: 'readText', args: [CLASSIC_README], expect: replacement, print: true },
      { call: 'reboot', args: [0], expect: true, title: 'reboot(0)' },
    ],
    after: (image) => {
      if (profile.isClean)
        ok(profile.isClean(image), 'the superblock is marked clean after reboot');
      const problems = profile.check?.(image) ?? [];
      ok(problems.length === 0, `the image checks clean: ${problems.join('; ')}`);
    },
  };
}
