/**
 * Pages, objects and the page cache interfaces (uvm/uvm_object.h, uvm/uvm_page.h, miscfs/genfs).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const uvm_object = struct('uvm_object', 48, {
  vmobjlock: f(0, 8, 'struct krwlock *'),
  pgops: f(8, 8, 'const struct uvm_pagerops *'),
  uo_npages: f(16, 4, 'int'),
  uo_refs: f(20, 4, 'unsigned int'),
  uo_pages: f(24, 16, 'struct radix_tree'),
  uo_ubc: f(40, 8, 'struct <anon>', {
    lh_first: f(40, 8, 'struct ubc_map *'),
  }),
});

export const uvm_pagerops = struct('uvm_pagerops', 56, {
  pgo_init: f(0, 8, 'funcptr'),
  pgo_reference: f(8, 8, 'funcptr'),
  pgo_detach: f(16, 8, 'funcptr'),
  pgo_fault: f(24, 8, 'funcptr'),
  pgo_get: f(32, 8, 'funcptr'),
  pgo_put: f(40, 8, 'funcptr'),
  pgo_markdirty: f(48, 8, 'funcptr'),
});

export const vm_page = struct('vm_page', 128, {
  pageq: f(0, 16, 'union <anon>', {
    queue: f(0, 16, 'struct <anon>', {
      tqe_next: f(0, 8, 'struct vm_page *'),
      tqe_prev: f(8, 8, 'struct vm_page * *'),
    }),
    list: f(0, 16, 'struct <anon>', {
      le_next: f(0, 8, 'struct vm_page *'),
      le_prev: f(8, 8, 'struct vm_page * *'),
    }),
  }),
  pqflags: f(16, 4, 'uint32_t'),
  flags: f(20, 4, 'uint32_t'),
  phys_addr: f(24, 8, 'paddr_t'),
  loan_count: f(32, 4, 'uint32_t'),
  wire_count: f(36, 4, 'uint32_t'),
  uanon: f(40, 8, 'struct vm_anon *'),
  uobject: f(48, 8, 'struct uvm_object *'),
  offset: f(56, 8, 'voff_t'),
  interlock: f(64, 8, 'kmutex_t'),
  pdqueue: f(72, 16, 'struct <anon>', {
    tqe_next: f(72, 8, 'struct vm_page *'),
    tqe_prev: f(80, 8, 'struct vm_page * *'),
  }),
  mdpage: f(88, 40, 'struct vm_page_md'),
});

export const vm_page_md = struct('vm_page_md', 40, {
  mp_pp: f(0, 40, 'struct pmap_page'),
});

export const uvm = struct('uvm', 408, {
  page_free: f(0, 384, 'struct pgfreelist[6]'),
  bucketcount: f(384, 4, 'u_int'),
  page_init_done: f(388, 1, '_Bool'),
  pagedaemon: f(392, 4, 'int'),
  pagedaemon_lwp: f(400, 8, 'struct lwp *'),
});

export const uvmexp = struct('uvmexp', 316, {
  pagesize: f(0, 4, 'int'),
  pagemask: f(4, 4, 'int'),
  pageshift: f(8, 4, 'int'),
  npages: f(12, 4, 'int'),
  free: f(16, 4, 'int'),
  paging: f(20, 4, 'int'),
  wired: f(24, 4, 'int'),
  ncolors: f(28, 4, 'int'),
  colormask: f(32, 4, 'int'),
  zeropages: f(36, 4, 'int'),
  reserve_pagedaemon: f(40, 4, 'int'),
  reserve_kernel: f(44, 4, 'int'),
  anonpages: f(48, 4, 'unsigned int'),
  filepages: f(52, 4, 'unsigned int'),
  execpages: f(56, 4, 'unsigned int'),
  freemin: f(60, 4, 'int'),
  freetarg: f(64, 4, 'int'),
  wiredmax: f(68, 4, 'int'),
  nswapdev: f(72, 4, 'int'),
  swpages: f(76, 4, 'int'),
  swpgavail: f(80, 4, 'int'),
  swpginuse: f(84, 4, 'int'),
  swpgonly: f(88, 4, 'int'),
  nswget: f(92, 4, 'int'),
  faults: f(96, 4, 'int'),
  traps: f(100, 4, 'int'),
  intrs: f(104, 4, 'int'),
  swtch: f(108, 4, 'int'),
  softs: f(112, 4, 'int'),
  syscalls: f(116, 4, 'int'),
  pageins: f(120, 4, 'int'),
  _unused1: f(124, 4, 'int'),
  _unused2: f(128, 4, 'int'),
  pgswapin: f(132, 4, 'int'),
  pgswapout: f(136, 4, 'int'),
  forks: f(140, 4, 'int'),
  forks_ppwait: f(144, 4, 'int'),
  forks_sharevm: f(148, 4, 'int'),
  pga_zerohit: f(152, 4, 'int'),
  pga_zeromiss: f(156, 4, 'int'),
  zeroaborts: f(160, 4, 'int'),
  colorhit: f(164, 4, 'int'),
  colormiss: f(168, 4, 'int'),
  cpuhit: f(172, 4, 'int'),
  cpumiss: f(176, 4, 'int'),
  fltnoram: f(180, 4, 'int'),
  fltnoanon: f(184, 4, 'int'),
  fltpgwait: f(188, 4, 'int'),
  fltpgrele: f(192, 4, 'int'),
  fltrelck: f(196, 4, 'int'),
  fltrelckok: f(200, 4, 'int'),
  fltanget: f(204, 4, 'int'),
  fltanretry: f(208, 4, 'int'),
  fltamcopy: f(212, 4, 'int'),
  fltnamap: f(216, 4, 'int'),
  fltnomap: f(220, 4, 'int'),
  fltlget: f(224, 4, 'int'),
  fltget: f(228, 4, 'int'),
  flt_anon: f(232, 4, 'int'),
  flt_acow: f(236, 4, 'int'),
  flt_obj: f(240, 4, 'int'),
  flt_prcopy: f(244, 4, 'int'),
  flt_przero: f(248, 4, 'int'),
  pdwoke: f(252, 4, 'int'),
  pdrevs: f(256, 4, 'int'),
  _unused3: f(260, 4, 'int'),
  pdfreed: f(264, 4, 'int'),
  pdscans: f(268, 4, 'int'),
  pdanscan: f(272, 4, 'int'),
  pdobscan: f(276, 4, 'int'),
  pdreact: f(280, 4, 'int'),
  pdbusy: f(284, 4, 'int'),
  pdpageouts: f(288, 4, 'int'),
  pdpending: f(292, 4, 'int'),
  pddeact: f(296, 4, 'int'),
  pdreanon: f(300, 4, 'int'),
  pdrefile: f(304, 4, 'int'),
  pdreexec: f(308, 4, 'int'),
  bootpages: f(312, 4, 'int'),
});

export const genfs_node = struct('genfs_node', 16, {
  g_op: f(0, 8, 'const struct genfs_ops *'),
  g_glock: f(8, 8, 'krwlock_t'),
});

export const genfs_ops = struct('genfs_ops', 40, {
  gop_size: f(0, 8, 'funcptr'),
  gop_alloc: f(8, 8, 'funcptr'),
  gop_write: f(16, 8, 'funcptr'),
  gop_markupdate: f(24, 8, 'funcptr'),
  gop_putrange: f(32, 8, 'funcptr'),
});
