import { describe, expect, it } from 'vitest';
import { utf8Length } from '../src/checks.js';
import {
  HostError,
  HostParamDefaults,
  MemoryHost,
  parseHostname,
  parseMemlimit,
  parseNcpu,
  parseVerbose,
  readHostParams,
  resolveHostParams,
} from '../src/index.js';
import { NodeHost } from '../src/node.js';

function einval(fn: () => unknown, mentions: string): void {
  try {
    fn();
  } catch (err) {
    expect(HostError.is(err, 'EINVAL')).toBe(true);
    expect((err as Error).message).toContain(mentions);
    return;
  }
  throw new Error('expected EINVAL');
}

describe('RUMP_MEMLIMIT', () => {
  it('reads bytes with k, m or g suffixes (powers of 1024, either case)', () => {
    expect(parseMemlimit('123')).toBe(123);
    expect(parseMemlimit('512k')).toBe(512 * 1024);
    expect(parseMemlimit('64m')).toBe(64 * 1024 * 1024);
    expect(parseMemlimit('64M')).toBe(64 * 1024 * 1024);
    expect(parseMemlimit('2g')).toBe(2 * 1024 ** 3);
    expect(parseMemlimit(HostParamDefaults.RUMP_MEMLIMIT)).toBe(256 * 1024 * 1024);
  });

  it('rejects other forms, naming the parameter and value', () => {
    for (const bad of [
      '',
      '0',
      '0m',
      '-1',
      ' 1',
      '1 ',
      '1t',
      '10mb',
      'm',
      '1.5g',
      '0x10',
      '9'.repeat(20),
    ]) {
      einval(() => parseMemlimit(bad), `RUMP_MEMLIMIT=${JSON.stringify(bad)}`);
    }
    einval(() => parseMemlimit('99999999999g'), 'too large');
  });
});

describe('RUMP_NCPU, RUMP_VERBOSE, RUMP_HOSTNAME', () => {
  it('accept their documented ranges', () => {
    expect(parseNcpu('1')).toBe(1);
    expect(parseNcpu('256')).toBe(256);
    expect(parseVerbose('0')).toBe(0);
    expect(parseVerbose('3')).toBe(3);
    expect(parseHostname('rump-ts')).toBe('rump-ts');
    expect(parseHostname('h'.repeat(255))).toBe('h'.repeat(255));
  });

  it('reject the rest', () => {
    for (const bad of ['0', '257', '-1', 'two', '', '1.0'])
      einval(() => parseNcpu(bad), 'RUMP_NCPU');
    for (const bad of ['-1', 'yes', '', '4294967296'])
      einval(() => parseVerbose(bad), 'RUMP_VERBOSE');
    for (const bad of ['', 'h'.repeat(256), 'a\0b', 'é'.repeat(128)]) {
      einval(() => parseHostname(bad), 'RUMP_HOSTNAME');
    }
  });
});

describe('resolveHostParams', () => {
  it('takes the first source that sets a name, then the default', () => {
    const t = resolveHostParams(
      [{ RUMP_NCPU: '2' }, { RUMP_NCPU: '3', RUMP_VERBOSE: '1', HOME: '/root' }],
      8,
    );
    expect(t.get('RUMP_NCPU')).toBe('2');
    expect(t.get('RUMP_VERBOSE')).toBe('1');
    expect(t.get('RUMP_HOSTNAME')).toBe('rump-ts');
    expect(t.get('RUMP_MEMLIMIT')).toBe(String(256 * 1024 * 1024));
    expect(t.has('HOME')).toBe(false); // the environment is not exposed wholesale
  });

  it('turns RUMP_NCPU=host into the host CPU count, at most 256', () => {
    expect(resolveHostParams([{ RUMP_NCPU: 'host' }], 12).get('RUMP_NCPU')).toBe('12');
    expect(resolveHostParams([{ RUMP_NCPU: 'host' }], 1000).get('RUMP_NCPU')).toBe('256');
  });

  it('answers extra names only from the explicit first source', () => {
    const t = resolveHostParams([{ RUMP_X: 'a' }, { RUMP_Y: 'b' }], 1);
    expect(t.get('RUMP_X')).toBe('a');
    expect(t.has('RUMP_Y')).toBe(false);
  });

  it('fails at once on a bad value', () => {
    einval(() => resolveHostParams([{ RUMP_MEMLIMIT: 'lots' }], 1), 'RUMP_MEMLIMIT');
  });
});

describe('hosts and parameters', () => {
  it('MemoryHost answers defaults, overrides and extras; unknown names fail with ENOENT', () => {
    const host = new MemoryHost({ params: { RUMP_MEMLIMIT: '32m', RUMP_CUSTOM: 'x' } });
    expect(readHostParams(host)).toEqual({
      verbose: 0,
      ncpu: 1,
      memlimit: 32 * 1024 * 1024,
      hostname: 'rump-ts',
    });
    expect(host.getParam('RUMP_CUSTOM')).toBe('x');
    expect(() => host.getParam('RUMP_OTHER')).toThrow(/ENOENT \(2/);
  });

  it('NodeHost reads the environment after explicit params, and only RUMP_* names it knows', () => {
    const env = { RUMP_NCPU: '4', RUMP_HOSTNAME: 'from-env', RUMP_SECRET: 's', PATH: '/bin' };
    const host = new NodeHost({ env, params: { RUMP_HOSTNAME: 'explicit' } });
    expect(host.getParam('RUMP_NCPU')).toBe('4');
    expect(host.getParam('RUMP_HOSTNAME')).toBe('explicit');
    expect(() => host.getParam('RUMP_SECRET')).toThrow(HostError);
    expect(() => host.getParam('PATH')).toThrow(HostError);
    expect(new NodeHost({ env: false }).getParam('RUMP_NCPU')).toBe('1');
  });

  it('NodeHost refuses a bad environment value when made', () => {
    einval(() => new NodeHost({ env: { RUMP_NCPU: 'many' } }), 'RUMP_NCPU="many"');
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes exactly as TextEncoder does, lone surrogates as U+FFFD', () => {
    const samples = [
      '',
      'rump',
      'é',
      'ﬁle',
      '日本語',
      '😀',
      'a😀b',
      '\ud800',
      '\udc00x',
      'x\ud83d',
      '\ud83d\ud83d\ude00',
      '\u07ff\u0800\uffff',
      `${'é'.repeat(600)}x`,
    ];
    for (const s of samples)
      expect(utf8Length(s), JSON.stringify(s)).toBe(new TextEncoder().encode(s).length);
    // The limits that use it: RUMP_HOSTNAME's 255 bytes count bytes, not UTF-16 units.
    expect(() => parseHostname('é'.repeat(128))).toThrow(HostError);
    expect(parseHostname('é'.repeat(127))).toBe('é'.repeat(127));
  });
});
