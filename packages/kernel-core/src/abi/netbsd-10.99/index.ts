/** NetBSD 10.99.12 (-current, January 2025), amd64: the first target release. */
import { parseStructs } from '../layout.js';
import type { Profile, Structs } from '../profile.js';
import { STRUCTS_JSON } from './structs-data.js';
import { VOP_NAMES } from './vdesc.js';
import { VDESC_FACTS } from './vdesc-table.js';

export * as constants from './constants.js';
export { errno, errnoName } from './errno.js';
export { VNODE_OPS_COUNT, VOP_DESCOFFSET, VOP_NAMES } from './vdesc.js';
export { VDESC_FACTS, VDESC_NO_OFFSET, type VdescFacts } from './vdesc-table.js';

export const netbsd_10_99: Profile = {
  release: '10.99.12',
  version: 1099001200,
  isCurrent: true,
  // The layouts of structs/*.ts, loaded from their JSON copy (cheaper to build at start-up).
  structs: parseStructs<Structs>(STRUCTS_JSON),
  vopNames: VOP_NAMES,
  vdesc: VDESC_FACTS,
  diagnostic: true,
};
