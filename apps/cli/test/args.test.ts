import { describe, expect, it } from 'vitest';
import { type ArgsError, type OptionSpec, parseArgs } from '../src/cli/args.js';
import { UsageError } from '../src/cli/errors.js';
import { GLOBAL_OPTIONS, parseByteCount, resolveGlobalOptions } from '../src/cli/global.js';
import { formatTarget, parseTarget } from '../src/cli/target.js';

const LS: OptionSpec[] = [
  { long: 'long', short: 'l', kind: 'flag', help: '' },
  { long: 'recursive', short: 'R', kind: 'flag', help: '' },
  { long: 'level', short: 'L', kind: 'value', metavar: 'N', help: '' },
];
const parse = (argv: string[]) =>
  parseArgs(argv, GLOBAL_OPTIONS, (c) => (c === 'ls' ? LS : undefined));

describe('argument parser', () => {
  it('takes global options anywhere and command options after the command', () => {
    const r = parse([
      '-v',
      '-m',
      'a.kmod',
      'ls',
      '-lR',
      '--module=b.kmod',
      'img:/x',
      '-mc.kmod',
      '-vv',
      '--json',
    ]);
    expect(r.command).toBe('ls');
    expect(r.options.operands).toEqual(['img:/x']);
    expect(r.options.flag('long') && r.options.flag('recursive')).toBe(true);
    expect(r.options.list('module')).toEqual(['a.kmod', 'b.kmod', 'c.kmod']);
    expect(r.options.count('verbose')).toBe(3);
    expect(r.options.flag('json')).toBe(true);
  });

  it('ends options at --', () => {
    const r = parse(['ls', '--', '-l', '--json']);
    expect(r.options.operands).toEqual(['-l', '--json']);
    expect(r.options.flag('long')).toBe(false);
  });

  it('reports mistakes as usage errors naming the option and the command', () => {
    const err = (argv: string[]) => {
      try {
        parse(argv);
      } catch (e) {
        return e as ArgsError;
      }
      throw new Error('no error');
    };
    expect(err(['-l', 'ls']).message).toBe('unknown option -l');
    expect(err(['-l', 'ls']).command).toBeUndefined();
    expect(err(['ls', '--frob']).command).toBe('ls');
    expect(err(['ls', '-L']).message).toBe('option -L/--level needs a value (N)');
    expect(err(['ls', '--long=yes']).message).toBe('option --long takes no value');
    expect(err(['ls', '--module']).message).toMatch(/--module needs a value/);
    expect(err(['ls', '--frob'])).toBeInstanceOf(UsageError);
  });

  it('resolves global options with the environment', () => {
    const g = (argv: string[], env: Record<string, string> = {}) =>
      resolveGlobalOptions(parse(argv).options, env);
    expect(g(['ls'], { RUMP_VERBOSE: '1', RUMP_MODULE_PATH: '/a:/b' })).toMatchObject({
      verbose: 1,
      modulePath: ['/a', '/b'],
    });
    expect(g(['ls', '--module-path', '/c'], { RUMP_MODULE_PATH: '/a' }).modulePath).toEqual([
      '/c',
      '/a',
    ]);
    expect(g(['ls', '--offset', '63s']).offset).toBe(63 * 512);
    expect(g(['ls', '--partition', '2a']).partition).toBe('2a');
    expect(() => g(['ls', '--partition', 'zz'])).toThrow(UsageError);
    expect(() => g(['ls', '--offset', 'lots'])).toThrow(/not a byte count/);
  });

  it('parses byte counts', () => {
    expect(parseByteCount('4096', 'x')).toBe(4096);
    expect(parseByteCount('0x1000', 'x')).toBe(4096);
    expect(parseByteCount('1M', 'x')).toBe(1048576);
    expect(parseByteCount('2GiB', 'x')).toBe(2 * 1024 ** 3);
    expect(() => parseByteCount('9999999999T', 'x')).toThrow(/too large/);
  });
});

describe('targets', () => {
  const files = new Set(['disk.img', 'back:up.img', 'C:\\images\\d.img', 'x@1', 'a', 'a:b']);
  const exists = (p: string) => files.has(p);
  const t = (s: string) => {
    const r = parseTarget(s, exists);
    return [r.image, r.partition, r.path];
  };

  it('splits IMAGE, IMAGE:PATH, IMAGE@N and IMAGE@N:PATH', () => {
    expect(t('disk.img')).toEqual(['disk.img', undefined, undefined]);
    expect(t('disk.img:/etc/passwd')).toEqual(['disk.img', undefined, '/etc/passwd']);
    expect(t('disk.img:')).toEqual(['disk.img', undefined, '/']);
    expect(t('disk.img:etc//x/')).toEqual(['disk.img', undefined, '/etc/x']);
    expect(t('disk.img@1')).toEqual(['disk.img', '1', undefined]);
    expect(t('disk.img@2a:/etc')).toEqual(['disk.img', '2a', '/etc']);
    expect(t('disk.img@a:/')).toEqual(['disk.img', 'a', '/']);
  });

  it('keeps colons inside image paths and file names', () => {
    expect(t('disk.img:/a:b')).toEqual(['disk.img', undefined, '/a:b']);
    expect(t('back:up.img:/etc')).toEqual(['back:up.img', undefined, '/etc']);
    expect(t('back:up.img')).toEqual(['back:up.img', undefined, undefined]);
    // Both `a` and `a:b` exist: the whole argument names a file.
    expect(t('a:b')).toEqual(['a:b', undefined, undefined]);
    expect(t('a:b:/x')).toEqual(['a:b', undefined, '/x']);
  });

  it('keeps Windows drive letters and existing names with @', () => {
    expect(t('C:\\images\\d.img:/etc')).toEqual(['C:\\images\\d.img', undefined, '/etc']);
    expect(t('x@1')).toEqual(['x@1', undefined, undefined]);
    expect(t('x@1@2:/')).toEqual(['x@1', '2', '/']);
  });

  it('splits at the first colon when no image exists, and refuses an empty image', () => {
    expect(t('missing.img:/a:b')).toEqual(['missing.img', undefined, '/a:b']);
    expect(t('missing.img@user')).toEqual(['missing.img@user', undefined, undefined]);
    expect(() => parseTarget(':/x', exists)).toThrow(/no image before/);
    expect(formatTarget(parseTarget('disk.img@2a:etc', exists))).toBe('disk.img@2a:/etc');
  });
});
