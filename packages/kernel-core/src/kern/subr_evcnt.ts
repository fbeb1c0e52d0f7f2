/**
 * evcnt(9): event counters modules attach (statically through link_set_evcnts, or dynamically).
 * The counter lives in the module's struct evcnt; the kernel records the attachment, fills the
 * descriptive fields as evcnt_attach_dynamic does, and reads ev_count when asked.
 */
import type { Kernel } from '../kernel.js';

export interface EventCounter {
  readonly address: bigint;
  readonly type: number;
  readonly group: string;
  readonly name: string;
  readonly count: bigint;
}

export class EventCounters {
  private readonly attached = new Set<bigint>();
  constructor(private readonly k: Kernel) {}

  attach(ev: bigint, type: number, parent: bigint, group: bigint, name: bigint): void {
    const m = this.k.mem;
    const E = this.k.S.evcnt;
    if (type >= 0) m.write8(ev + BigInt(E.ev_type.offset), type);
    if (group !== 0n) m.write64(ev + BigInt(E.ev_group.offset), group);
    if (name !== 0n) m.write64(ev + BigInt(E.ev_name.offset), name);
    m.write64(ev + BigInt(E.ev_parent.offset), parent);
    const g = m.read64(ev + BigInt(E.ev_group.offset));
    const n = m.read64(ev + BigInt(E.ev_name.offset));
    m.write8(ev + BigInt(E.ev_grouplen.offset), g ? m.readCString(g, 255).length : 0);
    m.write8(ev + BigInt(E.ev_namelen.offset), n ? m.readCString(n, 255).length : 0);
    this.attached.add(ev);
  }

  detach(ev: bigint): void {
    if (!this.attached.delete(ev))
      this.k.panic(`evcnt_detach: 0x${ev.toString(16)} is not attached`);
  }

  list(): EventCounter[] {
    const m = this.k.mem;
    const E = this.k.S.evcnt;
    return [...this.attached].map((ev) => {
      const g = m.read64(ev + BigInt(E.ev_group.offset));
      const n = m.read64(ev + BigInt(E.ev_name.offset));
      return {
        address: ev,
        type: m.read8(ev + BigInt(E.ev_type.offset)),
        group: g ? m.readCString(g, 255) : '',
        name: n ? m.readCString(n, 255) : '',
        count: m.read64(ev + BigInt(E.ev_count.offset)),
      };
    });
  }
}

export function registerEvcnt(k: Kernel): void {
  const t = k.ksyms;
  t.function('evcnt_attach_dynamic', 'evcnt', (cpu) =>
    k.evcnt.attach(cpu.arg(0), Number(cpu.arg(1) & 0xffn), cpu.arg(2), cpu.arg(3), cpu.arg(4)),
  );
  t.function('evcnt_attach_static', 'evcnt', (cpu) => k.evcnt.attach(cpu.arg(0), -1, 0n, 0n, 0n));
  t.function('evcnt_detach', 'evcnt', (cpu) => k.evcnt.detach(cpu.arg(0)));
}
