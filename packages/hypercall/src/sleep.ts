/**
 * Blocking the one JavaScript thread. Atomics.wait on a private cell nobody notifies sleeps
 * without burning CPU; it exists in Node and in browser workers, but a browser's main thread
 * (and a page without cross-origin isolation, which has no SharedArrayBuffer) refuses it, and
 * there we can only spin.
 */
let cell: Int32Array | null | undefined;

function waitCell(): Int32Array | null {
  if (cell === undefined) {
    cell =
      typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;
  }
  return cell;
}

/** Blocks the thread until `now()` reaches `deadline` (nanoseconds on now's clock). */
export function blockUntil(deadline: bigint, now: () => bigint): void {
  for (;;) {
    const left = deadline - now();
    if (left <= 0n) return;
    const c = waitCell();
    if (c !== null) {
      try {
        Atomics.wait(c, 0, 0, Number(left) / 1e6);
      } catch {
        cell = null; // not allowed on this thread: spin from now on
      }
    }
    // Spin: nothing else can run on this thread anyway.
  }
}
