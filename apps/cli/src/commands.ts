export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
}

/** The commands the CLI knows; each lands with the issue that implements it. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'modinfo',
    usage: 'rump modinfo FILE.kmod',
    summary: 'show a kernel module: name, class, requires, sections, imports, exports',
  },
];
