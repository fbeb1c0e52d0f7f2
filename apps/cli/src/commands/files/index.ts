/** The file commands, in help order. */
import type { Command } from '../../cli/command.js';
import { get, put } from './copy.js';
import { find, ls, tree } from './list.js';
import { chmod, chown, ln, mkdir, mv, rm, rmdir, touch } from './modify.js';
import { cat, df, stat } from './read.js';

export const FILE_COMMANDS: readonly Command[] = [
  ls,
  cat,
  get,
  put,
  mkdir,
  rm,
  rmdir,
  mv,
  ln,
  chmod,
  chown,
  touch,
  stat,
  df,
  tree,
  find,
];
