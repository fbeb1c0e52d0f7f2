import { describe, expect, it } from 'vitest';
import { bootWith } from './helpers.js';

describe('tinyfs.kmod in the kernel', () => {
  it('loads, attaches the tinyfs file-system type and unloads', () => {
    const { k, host } = bootWith(['tinyfs']);
    const st = k.modctl('load', { filename: '/tinyfs.kmod' });
    expect(st).toMatchObject({ name: 'tinyfs', class: 'vfs' });
    console.log(Object.keys(k.vfs));
    k.modctl('unload', 'tinyfs');
    expect(host.consoleText()).toBe('');
  });
});
