import { runHostConformance } from '@rump/hypercall/conformance';
import { MemoryHost } from '@rump/hypercall/memory';
import { describe, expect, it } from 'vitest';
import type { BioDone, BioRequest, Host, HostBlockDevice, HostFile } from '../src/index.js';
import { HostError } from '../src/index.js';

// The suite is only worth running if it fails hosts that break the rules. Each mutant below
// breaks exactly one rule of a conforming MemoryHost; the suite must name the rule it broke.

type Mutation = (host: MemoryHost) => void;

function mutant(mutate: Mutation) {
  return () => {
    const host = new MemoryHost({ time: 'virtual' });
    mutate(host);
    return {
      host: host as Host,
      path: (n: string) => `/m/${n}`,
      consoleText: () => host.consoleText(),
    };
  };
}

async function failingChecks(mutate: Mutation): Promise<string[]> {
  const results = await runHostConformance(mutant(mutate));
  return results.filter((r) => !r.ok).map((r) => r.name);
}

const mutations: Record<string, { mutate: Mutation; caughtBy: string }> = {
  'a read-only handle that writes': {
    caughtBy: 'a read-only handle refuses pwrite and truncate with EBADF',
    mutate(host) {
      const open = host.open.bind(host);
      host.open = (path, options) => {
        const file = open(path, options);
        if (options.access !== 'read-only') return file;
        return new Proxy(file, {
          get(target, key) {
            if (key === 'pwrite') {
              return (buf: Uint8Array, offset: number) => {
                const rw = open(path, { access: 'read-write' });
                rw.pwrite(buf, offset);
                rw.close();
                return buf.length;
              };
            }
            const v = Reflect.get(target, key) as unknown;
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }) as HostFile;
      };
    },
  },
  'a disk that reads short past its end': {
    caughtBy: 'I/O reaching past the last sector fails with EINVAL and transfers nothing',
    mutate(host) {
      const openDev = host.openBlockDevice.bind(host);
      const open = host.open.bind(host);
      host.openBlockDevice = (path, options) => {
        const dev = openDev(path, options);
        const file = open(path, { access: 'read-only' });
        return new Proxy(dev, {
          get(target, key) {
            if (key === 'bio') {
              return (req: BioRequest) =>
                req.op === 'read' ? file.pread(req.data, req.sector * 512) : target.bio(req);
            }
            const v = Reflect.get(target, key) as unknown;
            return typeof v === 'function' ? v.bind(target) : v;
          },
        }) as HostBlockDevice;
      };
    },
  },
  'Linux errno numbers': {
    caughtBy: 'bad paths fail',
    mutate(host) {
      const open = host.open.bind(host);
      host.open = (path, options) => {
        try {
          return open(path, options);
        } catch (err) {
          if (HostError.is(err, 'ENAMETOOLONG')) Object.defineProperty(err, 'errno', { value: 36 });
          throw err;
        }
      };
    },
  },
  'raw host errors instead of HostError': {
    caughtBy: 'opening a missing file fails with ENOENT',
    mutate(host) {
      const open = host.open.bind(host);
      host.open = (path, options) => {
        try {
          return open(path, options);
        } catch (err) {
          // The host's own error, not converted: right name, but no NetBSD errno.
          const e = err as HostError;
          throw Object.assign(new Error(e.message), { code: e.code });
        }
      };
    },
  },
  'bioAsync completing before it returns': {
    caughtBy: 'bioAsync completes after it returns',
    mutate(host) {
      const openDev = host.openBlockDevice.bind(host);
      host.openBlockDevice = (path, options) => {
        const dev = openDev(path, options);
        dev.bioAsync = (req: BioRequest, done: BioDone) => {
          try {
            done(null, dev.bio(req));
          } catch (err) {
            done(err as HostError, 0);
          }
        };
        return dev;
      };
    },
  },
  'shutdown that leaves handles open': {
    caughtBy: 'shutdown closes every open file and device',
    mutate(host) {
      host.shutdown = () => {};
    },
  },
  'a wall clock in milliseconds': {
    caughtBy: 'the wall clock is nanoseconds since the Unix epoch',
    mutate(host) {
      const clock = host.clockGettime.bind(host);
      host.clockGettime = (c) => (c === 'wall' ? BigInt(Date.now()) : clock(c));
    },
  },
  'getRandom filling only 64 KiB': {
    caughtBy: 'getRandom fills the whole buffer',
    mutate(host) {
      const fill = host.getRandom.bind(host);
      host.getRandom = (buf) => fill(buf.subarray(0, 65536));
    },
  },
  'sleep returning early': {
    caughtBy: 'sleep and sleepUntil let at least the asked time pass',
    mutate(host) {
      host.sleep = () => {};
    },
  },
  'putchar losing output': {
    caughtBy: 'putchar takes bytes',
    mutate(host) {
      const put = host.putchar.bind(host);
      host.putchar = (c) => (c === 0x0a ? undefined : put(c));
    },
  },
  'unknown parameters answered': {
    caughtBy: 'an unknown one fails with ENOENT',
    mutate(host) {
      const get = host.getParam.bind(host);
      host.getParam = (name) => (name.startsWith('RUMP_NO_') ? '' : get(name));
    },
  },
};

describe('the conformance suite fails hosts that break a rule', () => {
  it('passes the unmodified host', async () => {
    expect(await failingChecks(() => {})).toEqual([]);
  });
  for (const [what, { mutate, caughtBy }] of Object.entries(mutations)) {
    it(`catches ${what}`, async () => {
      const failing = await failingChecks(mutate);
      expect(failing.some((name) => name.includes(caughtBy))).toBe(true);
    });
  }
});
