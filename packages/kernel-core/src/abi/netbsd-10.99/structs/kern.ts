/**
 * Modules, sysctl, event counters, pools, work queues, callouts, varargs (sys/module.h, sys/sysctl.h, sys/evcnt.h, sys/pool.h ...).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const modinfo = struct('modinfo', 32, {
  mi_version: f(0, 4, 'u_int'),
  mi_class: f(4, 4, 'modclass_t'),
  mi_modcmd: f(8, 8, 'funcptr'),
  mi_name: f(16, 8, 'const char *'),
  mi_required: f(24, 8, 'const char *'),
});

export const module = struct('module', 96, {
  mod_refcnt: f(0, 4, 'u_int'),
  mod_flags: f(4, 4, 'int'),
  mod_info: f(8, 8, 'modinfo_t *'),
  mod_kobj: f(16, 8, 'struct kobj *'),
  mod_chain: f(24, 16, 'struct <anon>', {
    tqe_next: f(24, 8, 'struct module *'),
    tqe_prev: f(32, 8, 'struct module * *'),
  }),
  mod_required: f(40, 8, 'struct module *[10] *'),
  mod_nrequired: f(48, 4, 'u_int'),
  mod_arequired: f(52, 4, 'u_int'),
  mod_source: f(56, 4, 'modsrc_t'),
  mod_autotime: f(64, 8, 'time_t'),
  mod_sdref: f(72, 16, 'specificdata_reference'),
  mod_sysctllog: f(88, 8, 'struct sysctllog *'),
});

export const modctl_load = struct('modctl_load', 32, {
  ml_filename: f(0, 8, 'const char *'),
  ml_flags: f(8, 4, 'int'),
  ml_props: f(16, 8, 'const char *'),
  ml_propslen: f(24, 8, 'size_t'),
});

export const modstat = struct('modstat', 64, {
  ms_name: f(0, 32, 'char[32]'),
  ms_addr: f(32, 8, 'uint64_t'),
  ms_source: f(40, 4, 'modsrc_t'),
  ms_class: f(44, 4, 'modclass_t'),
  ms_size: f(48, 4, 'u_int'),
  ms_refcnt: f(52, 4, 'u_int'),
  ms_flags: f(56, 4, 'u_int'),
  ms_reqoffset: f(60, 4, 'u_int'),
});

export const sysctlnode = struct('sysctlnode', 96, {
  sysctl_flags: f(0, 4, 'uint32_t'),
  sysctl_num: f(4, 4, 'int32_t'),
  sysctl_name: f(8, 32, 'char[32]'),
  sysctl_ver: f(40, 4, 'uint32_t'),
  __rsvd: f(44, 4, 'uint32_t'),
  sysctl_un: f(48, 16, 'union <anon>', {
    scu_child: f(48, 16, 'struct <anon>', {
      suc_csize: f(48, 4, 'uint32_t'),
      suc_clen: f(52, 4, 'uint32_t'),
      _suc_child: f(56, 8, 'union <anon>', {
        __sysc_upad: f(56, 8, 'uint64_t'),
        __sysc_ustr: f(56, 8, 'struct <anon>', {
          __sysc_sdatum: f(56, 8, 'struct sysctlnode *'),
        }),
      }),
    }),
    scu_data: f(48, 16, 'struct <anon>', {
      _sud_data: f(48, 8, 'union <anon>', {
        __sysc_upad: f(48, 8, 'uint64_t'),
        __sysc_ustr: f(48, 8, 'struct <anon>', {
          __sysc_sdatum: f(48, 8, 'void *'),
        }),
      }),
      _sud_offset: f(56, 8, 'union <anon>', {
        __sysc_upad: f(56, 8, 'uint64_t'),
        __sysc_ustr: f(56, 8, 'struct <anon>', {
          __sysc_sdatum: f(56, 8, 'size_t'),
        }),
      }),
    }),
    scu_alias: f(48, 4, 'int32_t'),
    scu_idata: f(48, 4, 'int32_t'),
    scu_qdata: f(48, 8, 'u_quad_t'),
    scu_bdata: f(48, 1, '_Bool'),
  }),
  _sysctl_size: f(64, 8, 'union <anon>', {
    __sysc_upad: f(64, 8, 'uint64_t'),
    __sysc_ustr: f(64, 8, 'struct <anon>', {
      __sysc_sdatum: f(64, 8, 'size_t'),
    }),
  }),
  _sysctl_func: f(72, 8, 'union <anon>', {
    __sysc_upad: f(72, 8, 'uint64_t'),
    __sysc_ustr: f(72, 8, 'struct <anon>', {
      __sysc_sdatum: f(72, 8, 'sysctlfn'),
    }),
  }),
  _sysctl_parent: f(80, 8, 'union <anon>', {
    __sysc_upad: f(80, 8, 'uint64_t'),
    __sysc_ustr: f(80, 8, 'struct <anon>', {
      __sysc_sdatum: f(80, 8, 'struct sysctlnode *'),
    }),
  }),
  _sysctl_desc: f(88, 8, 'union <anon>', {
    __sysc_upad: f(88, 8, 'uint64_t'),
    __sysc_ustr: f(88, 8, 'struct <anon>', {
      __sysc_sdatum: f(88, 8, 'const char *'),
    }),
  }),
});

export const evcnt = struct('evcnt', 56, {
  ev_count: f(0, 8, 'uint64_t'),
  ev__count32: f(0, 8, 'uint32_t[2]'),
  ev_list: f(8, 16, 'struct <anon>', {
    tqe_next: f(8, 8, 'struct evcnt *'),
    tqe_prev: f(16, 8, 'struct evcnt * *'),
  }),
  ev_type: f(24, 1, 'unsigned char'),
  ev_grouplen: f(25, 1, 'unsigned char'),
  ev_namelen: f(26, 1, 'unsigned char'),
  ev_pad1: f(27, 1, 'char'),
  ev_parent: f(32, 8, 'const struct evcnt *'),
  ev_group: f(40, 8, 'const char *'),
  ev_name: f(48, 8, 'const char *'),
});

export const pool = struct('pool', 368, {
  pr_poollist: f(0, 16, 'struct <anon>', {
    tqe_next: f(0, 8, 'struct pool *'),
    tqe_prev: f(8, 8, 'struct pool * *'),
  }),
  pr_emptypages: f(16, 8, 'struct pool_pagelist'),
  pr_fullpages: f(24, 8, 'struct pool_pagelist'),
  pr_partpages: f(32, 8, 'struct pool_pagelist'),
  pr_curpage: f(40, 8, 'struct pool_item_header *'),
  pr_phpool: f(48, 8, 'struct pool *'),
  pr_cache: f(56, 8, 'struct pool_cache *'),
  pr_size: f(64, 4, 'unsigned int'),
  pr_align: f(68, 4, 'unsigned int'),
  pr_itemoffset: f(72, 4, 'unsigned int'),
  pr_minitems: f(76, 4, 'unsigned int'),
  pr_maxitems: f(80, 4, 'unsigned int'),
  pr_minpages: f(84, 4, 'unsigned int'),
  pr_maxpages: f(88, 4, 'unsigned int'),
  pr_npages: f(92, 4, 'unsigned int'),
  pr_itemsperpage: f(96, 4, 'unsigned int'),
  pr_poolid: f(100, 4, 'unsigned int'),
  pr_nitems: f(104, 4, 'unsigned int'),
  pr_nout: f(108, 4, 'unsigned int'),
  pr_hardlimit: f(112, 4, 'unsigned int'),
  pr_refcnt: f(116, 4, 'unsigned int'),
  pr_alloc: f(120, 8, 'struct pool_allocator *'),
  pr_alloc_list: f(128, 16, 'struct <anon>', {
    tqe_next: f(128, 8, 'struct pool *'),
    tqe_prev: f(136, 8, 'struct pool * *'),
  }),
  pr_drain_hook: f(144, 8, 'funcptr'),
  pr_drain_hook_arg: f(152, 8, 'void *'),
  pr_wchan: f(160, 8, 'const char *'),
  pr_flags: f(168, 4, 'unsigned int'),
  pr_roflags: f(172, 4, 'unsigned int'),
  pr_lock: f(176, 8, 'kmutex_t'),
  pr_cv: f(184, 16, 'kcondvar_t'),
  pr_ipl: f(200, 4, 'int'),
  pr_phtree: f(208, 8, 'struct phtree'),
  pr_maxcolor: f(216, 4, 'int'),
  pr_curcolor: f(220, 4, 'int'),
  pr_phoffset: f(224, 4, 'int'),
  pr_hardlimit_warning: f(232, 8, 'const char *'),
  pr_hardlimit_ratecap: f(240, 16, 'struct timeval'),
  pr_hardlimit_warning_last: f(256, 16, 'struct timeval'),
  pr_nget: f(272, 8, 'long unsigned int'),
  pr_nfail: f(280, 8, 'long unsigned int'),
  pr_nput: f(288, 8, 'long unsigned int'),
  pr_npagealloc: f(296, 8, 'long unsigned int'),
  pr_npagefree: f(304, 8, 'long unsigned int'),
  pr_hiwat: f(312, 4, 'unsigned int'),
  pr_nidle: f(320, 8, 'long unsigned int'),
  pr_freecheck: f(328, 8, 'void *'),
  pr_qcache: f(336, 8, 'void *'),
  pr_redzone: f(344, 1, '_Bool'),
  pr_reqsize: f(352, 8, 'size_t'),
  pr_reqsize_with_redzone: f(360, 8, 'size_t'),
});

export const pool_cache = struct('pool_cache', 2688, {
  pc_pool: f(0, 368, 'struct pool'),
  pc_cachelist: f(368, 16, 'struct <anon>', {
    tqe_next: f(368, 8, 'struct pool_cache *'),
    tqe_prev: f(376, 8, 'struct pool_cache * *'),
  }),
  pc_pcgpool: f(384, 8, 'struct pool *'),
  pc_pcgcache: f(392, 8, 'volatile pcg_t * *'),
  pc_pcgsize: f(400, 4, 'int'),
  pc_ncpu: f(404, 4, 'int'),
  pc_ctor: f(408, 8, 'funcptr'),
  pc_dtor: f(416, 8, 'funcptr'),
  pc_arg: f(424, 8, 'void *'),
  pc_refcnt: f(432, 4, 'unsigned int'),
  pc_roflags: f(436, 4, 'unsigned int'),
  pc_cpus: f(440, 2048, 'void *[256]'),
  pc_freecheck: f(2488, 8, 'void *'),
  pc_redzone: f(2496, 1, '_Bool'),
  pc_reqsize: f(2504, 8, 'size_t'),
  pc_fullgroups: f(2560, 8, 'volatile pcg_t *'),
  pc_partgroups: f(2568, 8, 'volatile pcg_t *'),
  pc_cpu0: f(2624, 64, 'pool_cache_cpu_t'),
});

export const pool_allocator = struct('pool_allocator', 64, {
  pa_alloc: f(0, 8, 'funcptr'),
  pa_free: f(8, 8, 'funcptr'),
  pa_pagesz: f(16, 4, 'unsigned int'),
  pa_lock: f(24, 8, 'kmutex_t'),
  pa_list: f(32, 16, 'struct <anon>', {
    tqh_first: f(32, 8, 'struct pool *'),
    tqh_last: f(40, 8, 'struct pool * *'),
  }),
  pa_refcnt: f(48, 4, 'uint32_t'),
  pa_pagemask: f(52, 4, 'int'),
  pa_pageshift: f(56, 4, 'int'),
});

export const work = struct('work', 8, {
  wk_dummy: f(0, 8, 'void *'),
});

export const callout = struct('callout', 80, {
  _c_store: f(0, 80, 'void *[10]'),
});

export const va_list_tag = struct('__va_list_tag', 24, {
  gp_offset: f(0, 4, 'unsigned int'),
  fp_offset: f(4, 4, 'unsigned int'),
  overflow_arg_area: f(8, 8, 'void *'),
  reg_save_area: f(16, 8, 'void *'),
});

export const rb_tree = struct('rb_tree', 32, {
  rbt_root: f(0, 8, 'struct rb_node *'),
  rbt_ops: f(8, 8, 'const rb_tree_ops_t *'),
  rbt_minmax: f(16, 16, 'struct rb_node *[2]'),
});

export const rb_node = struct('rb_node', 24, {
  rb_nodes: f(0, 16, 'struct rb_node *[2]'),
  rb_info: f(16, 8, 'uintptr_t'),
});

export const radix_tree = struct('radix_tree', 16, {
  t_root: f(0, 8, 'void *'),
  t_height: f(8, 4, 'unsigned int'),
});

export const selinfo = struct('selinfo', 64, {
  sel_collision: f(0, 8, 'uint64_t'),
  sel_klist: f(8, 8, 'struct klist'),
  sel_cluster: f(16, 8, 'void *'),
  sel_lwp: f(24, 8, 'struct lwp *'),
  sel_fdinfo: f(32, 8, 'uintptr_t'),
  sel_chain: f(40, 8, 'struct <anon>', {
    sle_next: f(40, 8, 'struct selinfo *'),
  }),
  sel_reserved: f(48, 16, 'uintptr_t[2]'),
});

export const klist = struct('klist', 8, {
  slh_first: f(0, 8, 'struct knote *'),
});
