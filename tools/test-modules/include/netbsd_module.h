/*
 * The NetBSD module ABI that the project's test modules are compiled against:
 * modinfo_t and the link set that names the module, as in NetBSD's <sys/module.h>.
 * Written for this project; layouts follow NetBSD 10.99 amd64.
 */
#ifndef RUMP_TEST_NETBSD_MODULE_H
#define RUMP_TEST_NETBSD_MODULE_H

typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;
typedef unsigned long uint64_t;
typedef long int64_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned short uint16_t;
typedef unsigned char uint8_t;

#define NULL ((void *)0)

#define __NetBSD_Version__ 1099001200

typedef enum modclass {
	MODULE_CLASS_ANY,
	MODULE_CLASS_MISC,
	MODULE_CLASS_VFS,
	MODULE_CLASS_DRIVER,
	MODULE_CLASS_EXEC,
	MODULE_CLASS_SECMODEL,
	MODULE_CLASS_BUFQ,
	MODULE_CLASS_MAX
} modclass_t;

typedef enum modcmd {
	MODULE_CMD_INIT,
	MODULE_CMD_FINI,
	MODULE_CMD_STAT,
	MODULE_CMD_AUTOUNLOAD
} modcmd_t;

typedef struct modinfo {
	const unsigned int mi_version;
	modclass_t mi_class;
	int (*mi_modcmd)(modcmd_t, void *);
	const char *mi_name;
	const char *mi_required;
} const modinfo_t;

#define __link_set_add_rodata(set, sym) \
	static void const *const __link_set_##set##_sym_##sym \
	__attribute__((__section__("link_set_" #set), __used__)) = (const void *)&(sym)

#define MODULE(class, name, required)					\
static int name##_modcmd(modcmd_t, void *);				\
static const modinfo_t name##_modinfo = {				\
	.mi_version = __NetBSD_Version__,				\
	.mi_class = (class),						\
	.mi_modcmd = name##_modcmd,					\
	.mi_name = #name,						\
	.mi_required = (required)					\
};									\
__link_set_add_rodata(modules, name##_modinfo)

#define ENOTTY 25

#endif
