/*
 * rump-bench-native: the measurements of tools/bench/src/run.ts on NetBSD's own (native C) rump
 * kernel, for RUMP_BENCH_NATIVE. Our code, written against the public rump API only (rump_init,
 * rump_pub_etfs_register, rump_sys_*); it is linked with a rump kernel the user built with
 * buildrump.sh (see README.md), with ffs linked in, so rump_init attaches ffs as our boot loads
 * ffs.kmod + ufs.kmod.
 *
 *   rump-bench-native            the benchmark on RUMP_BENCH_IMAGE, sizes from RUMP_BENCH_*
 *   rump-bench-native scenario IMAGE
 *                                the classic scenario as a process (the benchmark spawns itself
 *                                in this mode on RUMP_BENCH_SCENARIO_IMAGE and times it)
 *
 * Prints `rump-bench <key> <value>` lines in the units of tools/bench/src/figures.ts: ms for boot,
 * mount, unmount and scenario; MiB/s for reads and writes; operations per second for stat,
 * read-small, create and unlink; directory entries per second for readdir; MB (10^6 bytes) for
 * scenario-rss. Every read is checked as run.ts
 * checks it, so a broken path fails (exit 1) rather than looking fast. Each figure is timed with
 * clock_gettime(CLOCK_MONOTONIC) around exactly the calls run.ts times.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define IO_SIZE 65536
/* Buffer of each getdents call, as tools/bench/src/workload.ts GETDENTS_SIZE. */
#define GETDENTS_SIZE 8192
#define SMALL_FILE 1024
#define MiB (1024.0 * 1024.0)

/* NetBSD's struct ufs_args (ufs/ufs/ufsmount.h): ffs mounts take the block device's path only. */
struct ufs_args {
	char *fspec;
};

/*
 * rump_sys_stat fills NetBSD's struct stat (amd64: 152 bytes, st_size at offset 112), not the
 * host's, so it gets a buffer of its own, aligned and larger than either.
 */
#define NETBSD_STAT_SIZE_OFFSET 112
union netbsd_stat {
	uint64_t align;
	unsigned char bytes[256];
};

/* NetBSD's struct dirent: d_fileno (8, offset 0), d_reclen (2), d_namlen (2), d_type (1), d_name. */
#define DIRENT_RECLEN 8
#define DIRENT_NAMLEN 10
#define DIRENT_NAME 13

static const char README_REWRITE[] = "You already read me. Go away.\n";

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const char *phase, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rump-bench-native: %s: ", phase);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A rump_sys_* call that must succeed; errno is the rump kernel's (NetBSD's) error number. */
#define CHECK(phase, call)                                                             \
	do {                                                                           \
		if ((call) == -1)                                                      \
			fail(phase, "%s: error %d", #call, errno);                     \
	} while (0)

static long
env_long(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL)
		fail("environment", "%s is not set (run me through RUMP_BENCH_NATIVE)", name);
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0)
		fail("environment", "%s=%s is not a positive integer", name, s);
	return v;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void
report(const char *key, double value)
{
	printf("rump-bench %s %.6g\n", key, value);
}

/* files/f00000 … as workload.ts names them. */
static void
file_name(char *out, size_t n, const char *dir, long i)
{
	snprintf(out, n, "/mnt/%s/f%05ld", dir, i);
}

static void
mount_ffs(const char *phase)
{
	struct ufs_args args = { .fspec = (char *)"/fsimg" };

	CHECK(phase, rump_sys_mount("ffs", "/mnt", 0, &args, sizeof args));
}

static void
boot_and_mount(const char *image, double *boot_ms, double *mount_ms)
{
	double t0, t1, t2;
	int rv;

	t0 = now_ms();
	if ((rv = rump_init()) != 0)
		fail("boot", "rump_init: error %d", rv);
	t1 = now_ms();
	if ((rv = rump_pub_etfs_register("/fsimg", image, RUMP_ETFS_BLK)) != 0)
		fail("mount", "etfs register %s: error %d", image, rv);
	CHECK("mount", rump_sys_mkdir("/mnt", 0755));
	mount_ffs("mount");
	t2 = now_ms();
	if (boot_ms)
		*boot_ms = t1 - t0;
	if (mount_ms)
		*mount_ms = t2 - t1;
}

static void
read_big(const char *phase, unsigned char *buf, long read_bytes)
{
	double t0, ms;
	long chunk = 0;
	ssize_t n;
	int fd;

	t0 = now_ms();
	CHECK(phase, fd = rump_sys_open("/mnt/big", RUMP_O_RDONLY));
	for (;;) {
		n = rump_sys_read(fd, buf, IO_SIZE);
		if (n == 0)
			break;
		if (n != IO_SIZE || le32(buf) != (uint32_t)chunk)
			fail(phase, "chunk %ld: read %zd bytes starting with %" PRIu32 " (error %d)",
			    chunk, n, n > 0 ? le32(buf) : 0, errno);
		chunk++;
	}
	CHECK(phase, rump_sys_close(fd));
	ms = now_ms() - t0;
	if (chunk * IO_SIZE != read_bytes)
		fail(phase, "read %ld bytes, the file has %ld", chunk * IO_SIZE, read_bytes);
	report(phase, read_bytes / MiB / (ms / 1000));
}

static void
stat_all(const char *phase, long files)
{
	union netbsd_stat st;
	char path[64];
	double t0, ms;
	int64_t size;
	long i;

	t0 = now_ms();
	for (i = 0; i < files; i++) {
		file_name(path, sizeof path, "files", i);
		CHECK(phase, rump_sys_stat(path, (struct stat *)(void *)&st));
		memcpy(&size, st.bytes + NETBSD_STAT_SIZE_OFFSET, sizeof size);
		if (size != SMALL_FILE)
			fail(phase, "%s: size %" PRId64, path, size);
	}
	ms = now_ms() - t0;
	report(phase, files / (ms / 1000));
}

/* Entries of a directory other than . and .. (NetBSD dirents from rump_sys_getdents). */
static long
count_entries(const char *dir)
{
	unsigned char buf[GETDENTS_SIZE];
	long entries = 0;
	int fd, n, off;

	CHECK("unlink", fd = rump_sys_open(dir, RUMP_O_RDONLY | RUMP_O_DIRECTORY));
	while ((n = rump_sys_getdents(fd, (char *)buf, sizeof buf)) > 0) {
		for (off = 0; off < n;) {
			uint64_t fileno;
			uint16_t reclen, namlen;
			const char *name = (const char *)buf + off + DIRENT_NAME;

			memcpy(&fileno, buf + off, 8);
			memcpy(&reclen, buf + off + DIRENT_RECLEN, 2);
			memcpy(&namlen, buf + off + DIRENT_NAMLEN, 2);
			if (reclen == 0)
				fail("unlink", "%s: dirent with d_reclen 0", dir);
			/* ufs_readdir passes freed slots on with d_fileno 0; readdir(3) skips them. */
			if (fileno != 0 && !(namlen == 1 && name[0] == '.') &&
			    !(namlen == 2 && name[0] == '.' && name[1] == '.'))
				entries++;
			off += reclen;
		}
	}
	if (n < 0)
		fail("unlink", "getdents %s: error %d", dir, errno);
	CHECK("unlink", rump_sys_close(fd));
	return entries;
}

/*
 * getdents of files/ until it returns 0, as run.ts and src/dirents.ts do: every small file exactly
 * once (`.`, `..` and d_fileno 0 skipped), any other name failing. `seen` has a byte per file.
 */
static void
readdir_all(const char *phase, long files, unsigned char *seen)
{
	static unsigned char buf[GETDENTS_SIZE];
	long entries = 0, index;
	double t0, ms;
	int fd, n, off, k;

	memset(seen, 0, files);
	t0 = now_ms();
	CHECK(phase, fd = rump_sys_open("/mnt/files", RUMP_O_RDONLY | RUMP_O_DIRECTORY));
	while ((n = rump_sys_getdents(fd, (char *)buf, sizeof buf)) > 0) {
		for (off = 0; off < n;) {
			uint64_t fileno;
			uint16_t reclen, namlen;
			const unsigned char *name = buf + off + DIRENT_NAME;

			memcpy(&fileno, buf + off, 8);
			memcpy(&reclen, buf + off + DIRENT_RECLEN, 2);
			memcpy(&namlen, buf + off + DIRENT_NAMLEN, 2);
			if (reclen < DIRENT_NAME + 1 || off + reclen > n ||
			    DIRENT_NAME + namlen >= reclen)
				fail(phase, "bad dirent at byte %d: d_reclen %u, d_namlen %u", off,
				    reclen, namlen);
			off += reclen;
			if (fileno == 0 || (name[0] == '.' && (namlen == 1 ||
			    (namlen == 2 && name[1] == '.'))))
				continue;
			index = -1;
			if (namlen == 6 && name[0] == 'f')
				for (index = 0, k = 1; k < 6 && index >= 0; k++)
					index = name[k] >= '0' && name[k] <= '9' ?
					    index * 10 + (name[k] - '0') : -1;
			if (index < 0 || index >= files)
				fail(phase, "/mnt/files: unexpected entry '%.*s'", namlen, name);
			if (seen[index])
				fail(phase, "/mnt/files: entry f%05ld twice", index);
			seen[index] = 1;
			entries++;
		}
	}
	if (n < 0)
		fail(phase, "getdents /mnt/files: error %d", errno);
	CHECK(phase, rump_sys_close(fd));
	ms = now_ms() - t0;
	if (entries != files)
		fail(phase, "/mnt/files: %ld entries, expected %ld", entries, files);
	report(phase, files / (ms / 1000));
}

/* The classic scenario in this process: the child side of `scenario`. */

static double scenario_t0;

/* rump_sys_reboot exits the process (rumpuser_exit), so the child reports from atexit. */
static void
scenario_report(void)
{
	char line[256];
	long hwm_kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "VmHWM: %ld kB", &hwm_kib) == 1)
				break;
		fclose(f);
	}
	printf("scenario-child vmhwm-kib %ld in-process-ms %.6g\n", hwm_kib,
	    now_ms() - scenario_t0);
	fflush(stdout);
}

static int
scenario_child(const char *image)
{
	char buf[1024];
	ssize_t n;
	int fd;

	scenario_t0 = now_ms();
	boot_and_mount(image, NULL, NULL);
	CHECK("scenario", fd = rump_sys_open("/mnt/a_directory/README", RUMP_O_RDWR));
	n = rump_sys_read(fd, buf, sizeof buf);
	if (n <= 0)
		fail("scenario", "README read %zd bytes (error %d)", n, errno);
	CHECK("scenario", rump_sys_ftruncate(fd, 0));
	if (rump_sys_pwrite(fd, README_REWRITE, sizeof README_REWRITE - 1, 0) !=
	    (ssize_t)(sizeof README_REWRITE - 1))
		fail("scenario", "short write (error %d)", errno);
	atexit(scenario_report);
	/* Unmounts everything (syncing the write), then exits with status 0. */
	rump_sys_reboot(0, NULL);
	fail("scenario", "rump_sys_reboot returned (error %d)", errno);
}

/*
 * The scenario as its own process, timed as scenario.ts times `node scenario.mjs`: fork to the
 * child's exit, the program's loading and the dynamic linking of the rump libraries included.
 * Peak RSS is the child's own VmHWM (getrusage's maxrss would survive execve and report this
 * process's size).
 */
static void
scenario_process(const char *image)
{
	char out[4096], *line;
	size_t len = 0;
	ssize_t n;
	long hwm_kib;
	double t0, wall, in_process;
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd) == -1)
		fail("scenario", "pipe: %s", strerror(errno));
	fflush(stdout);
	t0 = now_ms();
	pid = fork();
	if (pid == -1)
		fail("scenario", "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execl("/proc/self/exe", "rump-bench-native", "scenario", image, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof out - 1 - len)) > 0)
		len += n;
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) == -1)
		fail("scenario", "waitpid: %s", strerror(errno));
	wall = now_ms() - t0;
	out[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("scenario", "child exited with status %#x: %s", status, out);
	/* The rump kernel's console (halting, syncing …) shares the child's stdout. */
	line = strstr(out, "scenario-child ");
	if (line == NULL || sscanf(line, "scenario-child vmhwm-kib %ld in-process-ms %lf",
	    &hwm_kib, &in_process) != 2 || hwm_kib <= 0)
		fail("scenario", "child printed no VmHWM: %s", out);
	report("scenario", wall);
	report("scenario-rss", hwm_kib * 1024 / 1e6);
	printf("native scenario in process %.3f ms\n", in_process);
}

static void
benchmark(void)
{
	const char *image = getenv("RUMP_BENCH_IMAGE");
	const char *fs = getenv("RUMP_BENCH_FS");
	const char *scenario_image = getenv("RUMP_BENCH_SCENARIO_IMAGE");
	long io_size = env_long("RUMP_BENCH_IO_SIZE");
	long read_bytes = env_long("RUMP_BENCH_READ_BYTES");
	long write_bytes = env_long("RUMP_BENCH_WRITE_BYTES");
	long small_files = env_long("RUMP_BENCH_SMALL_FILES");
	long create_files = env_long("RUMP_BENCH_CREATE_FILES");
	/* Optional: benchmarks from before the readdir figures do not pass it. */
	long getdents_size = getenv("RUMP_BENCH_GETDENTS_SIZE") != NULL ?
	    env_long("RUMP_BENCH_GETDENTS_SIZE") : GETDENTS_SIZE;
	unsigned char *seen;
	static unsigned char buf[IO_SIZE], data[IO_SIZE], small[SMALL_FILE];
	static char path[64];
	union netbsd_stat st;
	double t0, ms, boot_ms, mount_ms;
	int64_t size;
	long i, off;
	ssize_t n;
	int fd;

	if (image == NULL)
		fail("environment", "RUMP_BENCH_IMAGE is not set");
	if (fs != NULL && strcmp(fs, "ffs") != 0) {
		/* tinyfs is the project's own example file system; NetBSD has none to compare. */
		printf("native rump kernel: no figures for RUMP_BENCH_FS=%s (ffs only)\n", fs);
		exit(0);
	}
	if (io_size != IO_SIZE)
		fail("environment", "RUMP_BENCH_IO_SIZE=%ld, this program does %d", io_size,
		    IO_SIZE);
	if (getdents_size != GETDENTS_SIZE)
		fail("environment", "RUMP_BENCH_GETDENTS_SIZE=%ld, this program does %d",
		    getdents_size, GETDENTS_SIZE);
	printf("native rump kernel (NetBSD, C), ffs, image %s\n", image);

	/* The scenario first, while this process has no rump kernel threads of its own. */
	if (scenario_image != NULL && *scenario_image != '\0')
		scenario_process(scenario_image);

	/* boot: rump_init with ffs linked in; mount: etfs register + mkdir + mount. */
	boot_and_mount(image, &boot_ms, &mount_ms);
	report("boot", boot_ms);
	report("mount", mount_ms);

	read_big("read-cold", buf, read_bytes);
	read_big("read-warm", buf, read_bytes);

	memset(data, 0x5a, sizeof data);
	t0 = now_ms();
	CHECK("write-fsync", fd = rump_sys_open("/mnt/written",
	    RUMP_O_WRONLY | RUMP_O_CREAT | RUMP_O_TRUNC, 0644));
	for (off = 0; off < write_bytes; off += IO_SIZE)
		if (rump_sys_write(fd, data, IO_SIZE) != IO_SIZE)
			fail("write-fsync", "short write at %ld (error %d)", off, errno);
	CHECK("write-fsync", rump_sys_fsync(fd));
	CHECK("write-fsync", rump_sys_close(fd));
	ms = now_ms() - t0;
	report("write-fsync", write_bytes / MiB / (ms / 1000));
	CHECK("write-fsync", rump_sys_stat("/mnt/written", (struct stat *)(void *)&st));
	memcpy(&size, st.bytes + NETBSD_STAT_SIZE_OFFSET, sizeof size);
	if (size != write_bytes)
		fail("write-fsync", "file size after write is %" PRId64 ", wrote %ld", size,
		    write_bytes);

	stat_all("stat-cold", small_files);
	stat_all("stat-warm", small_files);

	t0 = now_ms();
	for (i = 0; i < small_files; i++) {
		file_name(path, sizeof path, "files", i);
		CHECK("read-small", fd = rump_sys_open(path, RUMP_O_RDONLY));
		n = rump_sys_read(fd, small, SMALL_FILE);
		CHECK("read-small", rump_sys_close(fd));
		if (n != SMALL_FILE || le32(small) != (uint32_t)i)
			fail("read-small", "%s: read %zd bytes, wrong content", path, n);
	}
	ms = now_ms() - t0;
	report("read-small", small_files / (ms / 1000));

	/* Contents made before timing, as run.ts does: index LE, then 'a' + index % 26. */
	unsigned char (*contents)[SMALL_FILE] = malloc(create_files * sizeof *contents);
	if (contents == NULL)
		fail("create", "out of memory");
	for (i = 0; i < create_files; i++) {
		memset(contents[i], 0x61 + i % 26, SMALL_FILE);
		put_le32(contents[i], i);
	}
	CHECK("create", rump_sys_mkdir("/mnt/new", 0755));
	t0 = now_ms();
	for (i = 0; i < create_files; i++) {
		file_name(path, sizeof path, "new", i);
		CHECK("create", fd = rump_sys_open(path,
		    RUMP_O_WRONLY | RUMP_O_CREAT | RUMP_O_EXCL, 0644));
		if (rump_sys_write(fd, contents[i], SMALL_FILE) != SMALL_FILE)
			fail("create", "%s: short write (error %d)", path, errno);
		CHECK("create", rump_sys_close(fd));
	}
	ms = now_ms() - t0;
	report("create", create_files / (ms / 1000));
	free(contents);

	t0 = now_ms();
	for (i = 0; i < create_files; i++) {
		file_name(path, sizeof path, "new", i);
		CHECK("unlink", rump_sys_unlink(path));
	}
	ms = now_ms() - t0;
	report("unlink", create_files / (ms / 1000));
	if ((i = count_entries("/mnt/new")) != 0)
		fail("unlink", "/mnt/new has %ld entries afterwards", i);

	t0 = now_ms();
	CHECK("unmount", rump_sys_unmount("/mnt", 0));
	ms = now_ms() - t0;
	report("unmount", ms);

	/*
	 * readdir of the stat directory, after the timed unmount as in run.ts: mounted again
	 * (untimed), so the cold pass finds nothing of it cached; then the warm pass.
	 */
	if ((seen = malloc(small_files)) == NULL)
		fail("readdir-cold", "out of memory");
	mount_ffs("readdir-cold");
	readdir_all("readdir-cold", small_files, seen);
	readdir_all("readdir-warm", small_files, seen);
	CHECK("readdir-warm", rump_sys_unmount("/mnt", 0));
	free(seen);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "scenario") == 0)
		return scenario_child(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: rump-bench-native            (workload in RUMP_BENCH_*)\n"
				"       rump-bench-native scenario IMAGE\n");
		return 2;
	}
	benchmark();
	/* Halts the rump kernel and exits the process with status 0. */
	rump_sys_reboot(0, NULL);
	return 0;
}
