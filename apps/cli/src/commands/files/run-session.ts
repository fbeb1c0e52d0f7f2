/**
 * Running a file command: parse its IMAGE:PATH operands (all on one image), plan the mount,
 * take the write lock for read-write commands, open the session, run, and always unmount and
 * unlock — also when the operation fails or the user presses Ctrl-C (SIGINT/SIGTERM are caught
 * for the duration; loops call `checkInterrupted`, and the unmount runs before exit).
 */

import { netbsdStrerror } from '@rump/hypercall';
import type { CommandContext } from '../../cli/command.js';
import { OperationError, UsageError } from '../../cli/errors.js';
import { formatTarget, parseTarget, type Target } from '../../cli/target.js';
import { type ImageLock, lockImage } from '../../lock.js';
import { planMount } from '../../mount-plan.js';
import { type FileSystemSession, openSession, SessionError } from '../../session.js';

export interface SessionRun {
  readonly session: FileSystemSession;
  /** The image (with @PART) as the user wrote it, for messages. */
  readonly image: Target;
  /** Throws OperationError(EINTR) once SIGINT or SIGTERM arrived. */
  checkInterrupted(): void;
}

/** Targets that must name a path inside an image (`IMAGE:PATH`); all must be the same image. */
export function imageTargets(texts: readonly string[], requirePath = true): Target[] {
  const targets = texts.map((t) => parseTarget(t));
  for (const t of targets)
    if (requirePath && t.path === undefined)
      throw new UsageError(`'${t.text}' names no path inside the image (write IMAGE:PATH)`);
  const first = targets[0];
  for (const t of targets)
    if (first && (t.image !== first.image || t.partition !== first.partition))
      throw new UsageError(
        `'${t.text}' is on another image than '${first.text}': one image per command`,
      );
  return targets;
}

/** A SessionError as a one-line CLI error about `IMAGE:PATH`. */
export function cliErrorFrom(e: unknown, image: Target): unknown {
  if (!(e instanceof SessionError)) return e;
  const subject = formatTarget({ ...image, path: e.path });
  const text = e.message && e.message !== e.errno ? e.message : netbsdStrerror(e.errno);
  return new OperationError(text, { subject, errno: e.errno });
}

export async function withSession<T>(
  ctx: CommandContext,
  image: Target,
  readOnly: boolean,
  body: (run: SessionRun) => Promise<T>,
): Promise<T> {
  const plan = planMount(image, ctx.global, readOnly);
  let lock: ImageLock | undefined;
  if (!readOnly) lock = lockImage(image.image, { command: `rump ${ctx.command.name}` });
  let signal: string | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    signal = s;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let session: FileSystemSession | undefined;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    session = await openSession(plan, {
      ...(ctx.global.verbose > 0 ? { console: (t: string) => ctx.io.err(t) } : {}),
      ...(ctx.global.trace ? { trace: (line: string) => ctx.io.err(`trace: ${line}\n`) } : {}),
    });
    const run: SessionRun = {
      session,
      image,
      checkInterrupted() {
        if (signal)
          throw new OperationError(`interrupted by ${signal}; unmounted cleanly`, {
            errno: 'EINTR',
          });
      },
    };
    outcome = { ok: true, value: await body(run) };
  } catch (e) {
    outcome = { ok: false, error: cliErrorFrom(e, image) };
  }
  // Always unmount and unlock; an unmount failure after a failed operation must not hide it.
  let unmountError: unknown;
  try {
    if (session) await session.unmount();
  } catch (e) {
    unmountError = e;
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  lock?.release();
  if (!outcome.ok) throw outcome.error;
  if (unmountError !== undefined) throw cliErrorFrom(unmountError, image);
  return outcome.value;
}
