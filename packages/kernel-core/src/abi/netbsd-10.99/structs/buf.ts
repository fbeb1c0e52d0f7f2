/**
 * The buffer cache and block devices (sys/buf.h, sys/conf.h, sys/disk.h, sys/disklabel.h).
 * NetBSD 10.99.12 amd64. Generated once from the DWARF facts by scripts/gen-abi-structs.ts.
 */
import { f, struct } from '../../layout.js';

export const buf = struct('buf', 272, {
  b_u: f(0, 24, 'union <anon>', {
    u_actq: f(0, 16, 'struct <anon>', {
      tqe_next: f(0, 8, 'struct buf *'),
      tqe_prev: f(8, 8, 'struct buf * *'),
    }),
    u_rbnode: f(0, 24, 'rb_node_t'),
    u_work: f(0, 8, 'struct work'),
  }),
  b_iodone: f(24, 8, 'funcptr'),
  b_error: f(32, 4, 'int'),
  b_resid: f(36, 4, 'int'),
  b_flags: f(40, 4, 'u_int'),
  b_prio: f(44, 4, 'int'),
  b_bufsize: f(48, 4, 'int'),
  b_bcount: f(52, 4, 'int'),
  b_dev: f(56, 8, 'dev_t'),
  b_data: f(64, 8, 'void *'),
  b_blkno: f(72, 8, 'daddr_t'),
  b_rawblkno: f(80, 8, 'daddr_t'),
  b_proc: f(88, 8, 'struct proc *'),
  b_saveaddr: f(96, 8, 'void *'),
  b_ci: f(104, 8, 'struct cpu_info *'),
  b_private: f(112, 8, 'void *'),
  b_dcookie: f(120, 8, '__off_t'),
  b_busy: f(128, 16, 'kcondvar_t'),
  b_unused: f(144, 8, 'void *'),
  b_hash: f(152, 16, 'struct <anon>', {
    le_next: f(152, 8, 'struct buf *'),
    le_prev: f(160, 8, 'struct buf * *'),
  }),
  b_vnbufs: f(168, 16, 'struct <anon>', {
    le_next: f(168, 8, 'struct buf *'),
    le_prev: f(176, 8, 'struct buf * *'),
  }),
  b_freelist: f(184, 16, 'struct <anon>', {
    tqe_next: f(184, 8, 'struct buf *'),
    tqe_prev: f(192, 8, 'struct buf * *'),
  }),
  b_wapbllist: f(200, 16, 'struct <anon>', {
    tqe_next: f(200, 8, 'struct buf *'),
    tqe_prev: f(208, 8, 'struct buf * *'),
  }),
  b_lblkno: f(216, 8, 'daddr_t'),
  b_freelistindex: f(224, 4, 'int'),
  b_cflags: f(228, 4, 'u_int'),
  b_vp: f(232, 8, 'struct vnode *'),
  b_done: f(240, 16, 'kcondvar_t'),
  b_oflags: f(256, 4, 'u_int'),
  b_objlock: f(264, 8, 'kmutex_t *'),
});

export const buflists = struct('buflists', 8, {
  lh_first: f(0, 8, 'struct buf *'),
});

export const bdevsw = struct('bdevsw', 88, {
  d_open: f(0, 8, 'funcptr'),
  d_cancel: f(8, 8, 'funcptr'),
  d_close: f(16, 8, 'funcptr'),
  d_strategy: f(24, 8, 'funcptr'),
  d_ioctl: f(32, 8, 'funcptr'),
  d_dump: f(40, 8, 'funcptr'),
  d_psize: f(48, 8, 'funcptr'),
  d_discard: f(56, 8, 'funcptr'),
  d_devtounit: f(64, 8, 'funcptr'),
  d_cfdriver: f(72, 8, 'struct cfdriver *'),
  d_flag: f(80, 4, 'int'),
});

export const disk = struct('disk', 192, {
  dk_link: f(0, 16, 'struct <anon>', {
    tqe_next: f(0, 8, 'struct disk *'),
    tqe_prev: f(8, 8, 'struct disk * *'),
  }),
  dk_name: f(16, 8, 'const char *'),
  dk_info: f(24, 8, 'prop_dictionary_t'),
  dk_geom: f(32, 48, 'struct disk_geom'),
  dk_bopenmask: f(80, 4, 'int'),
  dk_copenmask: f(84, 4, 'int'),
  dk_openmask: f(88, 4, 'int'),
  dk_state: f(92, 4, 'int'),
  dk_blkshift: f(96, 4, 'int'),
  dk_byteshift: f(100, 4, 'int'),
  dk_stats: f(104, 8, 'struct io_stats *'),
  dk_driver: f(112, 8, 'const struct dkdriver *'),
  dk_rawlock: f(120, 8, 'kmutex_t'),
  dk_rawopens: f(128, 4, 'u_int'),
  dk_rawvp: f(136, 8, 'struct vnode *'),
  dk_openlock: f(144, 8, 'kmutex_t'),
  dk_nwedges: f(152, 4, 'u_int'),
  dk_wedges: f(160, 8, 'struct <anon>', {
    lh_first: f(160, 8, 'struct dkwedge_softc *'),
  }),
  dk_labelsector: f(168, 8, 'daddr_t'),
  dk_label: f(176, 8, 'struct disklabel *'),
  dk_cpulabel: f(184, 8, 'struct cpu_disklabel *'),
});

export const disk_geom = struct('disk_geom', 48, {
  dg_secperunit: f(0, 8, 'int64_t'),
  dg_secsize: f(8, 4, 'uint32_t'),
  dg_nsectors: f(12, 4, 'uint32_t'),
  dg_ntracks: f(16, 4, 'uint32_t'),
  dg_ncylinders: f(20, 4, 'uint32_t'),
  dg_secpercyl: f(24, 4, 'uint32_t'),
  dg_pcylinders: f(28, 4, 'uint32_t'),
  dg_sparespertrack: f(32, 4, 'uint32_t'),
  dg_sparespercyl: f(36, 4, 'uint32_t'),
  dg_acylinders: f(40, 4, 'uint32_t'),
});

export const dkwedge_info = struct('dkwedge_info', 208, {
  dkw_devname: f(0, 16, 'char[16]'),
  dkw_wname: f(16, 128, 'uint8_t[128]'),
  dkw_parent: f(144, 16, 'char[16]'),
  dkw_offset: f(160, 8, 'daddr_t'),
  dkw_size: f(168, 8, 'uint64_t'),
  dkw_ptype: f(176, 32, 'char[32]'),
});

export const disklabel = struct('disklabel', 408, {
  d_magic: f(0, 4, 'uint32_t'),
  d_type: f(4, 2, 'uint16_t'),
  d_subtype: f(6, 2, 'uint16_t'),
  d_typename: f(8, 16, 'char[16]'),
  d_un: f(24, 16, 'union <anon>', {
    un_d_packname: f(24, 16, 'char[16]'),
    un_b: f(24, 16, 'struct <anon>', {
      un_d_boot0: f(24, 8, 'char *'),
      un_d_boot1: f(32, 8, 'char *'),
    }),
    un_d_pad: f(24, 8, 'uint64_t'),
  }),
  d_secsize: f(40, 4, 'uint32_t'),
  d_nsectors: f(44, 4, 'uint32_t'),
  d_ntracks: f(48, 4, 'uint32_t'),
  d_ncylinders: f(52, 4, 'uint32_t'),
  d_secpercyl: f(56, 4, 'uint32_t'),
  d_secperunit: f(60, 4, 'uint32_t'),
  d_sparespertrack: f(64, 2, 'uint16_t'),
  d_sparespercyl: f(66, 2, 'uint16_t'),
  d_acylinders: f(68, 4, 'uint32_t'),
  d_rpm: f(72, 2, 'uint16_t'),
  d_interleave: f(74, 2, 'uint16_t'),
  d_trackskew: f(76, 2, 'uint16_t'),
  d_cylskew: f(78, 2, 'uint16_t'),
  d_headswitch: f(80, 4, 'uint32_t'),
  d_trkseek: f(84, 4, 'uint32_t'),
  d_flags: f(88, 4, 'uint32_t'),
  d_drivedata: f(92, 20, 'uint32_t[5]'),
  d_spare: f(112, 20, 'uint32_t[5]'),
  d_magic2: f(132, 4, 'uint32_t'),
  d_checksum: f(136, 2, 'uint16_t'),
  d_npartitions: f(138, 2, 'uint16_t'),
  d_bbsize: f(140, 4, 'uint32_t'),
  d_sbsize: f(144, 4, 'uint32_t'),
  d_partitions: f(148, 256, 'struct partition[16]'),
});

export const partition = struct('partition', 16, {
  p_size: f(0, 4, 'uint32_t'),
  p_offset: f(4, 4, 'uint32_t'),
  __partition_u2: f(8, 4, 'union <anon>', {
    fsize: f(8, 4, 'uint32_t'),
    cdsession: f(8, 4, 'uint32_t'),
  }),
  p_fstype: f(12, 1, 'uint8_t'),
  p_frag: f(13, 1, 'uint8_t'),
  __partition_u1: f(14, 2, 'union <anon>', {
    cpg: f(14, 2, 'uint16_t'),
    sgs: f(14, 2, 'uint16_t'),
  }),
});
