/**
 * workqueue(9): work items run by the kernel itself, in order, when the running lwp reaches a
 * point where others would run — the end of each kernel entry, a cv_wait, a preemption point.
 * On one lwp that is exactly when a NetBSD worker thread would get the CPU.
 */
import type { Kernel } from '../kernel.js';

interface Workqueue {
  readonly handle: bigint;
  readonly name: string;
  readonly func: bigint;
  readonly arg: bigint;
}

export class Workqueues {
  private readonly queues = new Map<bigint, Workqueue>();
  private readonly pending: { wq: Workqueue; work: bigint }[] = [];

  constructor(private readonly k: Kernel) {}

  create(name: string, func: bigint, arg: bigint): bigint {
    const handle = this.k.kmem.alloc(16, 1, true, 'workqueue_create');
    this.queues.set(handle, { handle, name, func, arg });
    return handle;
  }

  enqueue(h: bigint, work: bigint): void {
    const wq = this.queues.get(h);
    if (!wq) this.k.panic(`workqueue_enqueue: 0x${h.toString(16)} is not a workqueue`);
    this.pending.push({ wq, work });
  }

  destroy(h: bigint): void {
    const wq = this.queues.get(h);
    if (!wq) this.k.panic(`workqueue_destroy: 0x${h.toString(16)} is not a workqueue`);
    this.runAll((p) => p.wq === wq);
    this.queues.delete(h);
    this.k.kmem.free(h, 16, 'workqueue_destroy');
  }

  /** True when some work item waits to run. */
  get queued(): boolean {
    return this.pending.length > 0;
  }

  /** Runs one pending item; false when there is none. */
  runOne(): boolean {
    const item = this.pending.shift();
    if (!item) return false;
    this.k.callGuest(item.wq.func, item.work, item.wq.arg);
    return true;
  }

  private runAll(which: (p: { wq: Workqueue }) => boolean): void {
    for (let i = 0; i < this.pending.length; ) {
      const p = this.pending[i]!;
      if (!which(p)) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      this.k.callGuest(p.wq.func, p.work, p.wq.arg);
    }
  }
}

export function registerWorkqueue(k: Kernel): void {
  const t = k.ksyms;
  // workqueue_create(&wq, name, func, arg, prio, ipl, flags)
  t.function('workqueue_create', 'workqueue', (cpu) => {
    const h = k.workqueues.create(k.mem.readCString(cpu.arg(1), 64), cpu.arg(2), cpu.arg(3));
    k.mem.write64(cpu.arg(0), h);
    return 0;
  });
  t.function('workqueue_enqueue', 'workqueue', (cpu) =>
    k.workqueues.enqueue(cpu.arg(0), cpu.arg(1)),
  );
  t.function('workqueue_destroy', 'workqueue', (cpu) => k.workqueues.destroy(cpu.arg(0)));
}
