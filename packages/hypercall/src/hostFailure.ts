/**
 * An error the way a host system reports one: a message and a `code`. The handle that called the
 * host maps the code to a NetBSD errno and adds the call and path, so backends need not know them.
 */
export function hostFailure(code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}
