/* osbench: operations of the OS timed in instructions, one source for Keel
 * and Linux (docs/benchmarks.md, "OS benchmarks").
 *
 *   osbench [--quick]   run every benchmark, print a result line each
 *   osbench --echo      the pipe benchmark's child: copy stdin to stdout a
 *                       byte at a time until end of file
 *
 * The counter is CNTVCT_EL0, the generic timer's virtual count, which both
 * kernels let EL0 read. Under QEMU's -icount shift=0 one instruction is one
 * nanosecond of virtual time, so the counter advances 1e9 / CNTFRQ_EL0
 * instructions per tick (16 at QEMU's 62.5 MHz). One tick is too coarse for
 * one operation, so each sample times a batch of operations and divides; a
 * benchmark's figure is the median of its batches (an interrupt landing in
 * a batch makes that batch an outlier, not the median). Without -icount the
 * figures are nanoseconds, meaningless but harmless (the smoke test).
 *
 * The file-system rows work on the disk: on Keel the ext2 file system vfs
 * serves at /, on Linux (as /init) the same image, which disk_up mounts at
 * /mnt and makes the root with chroot, so both use the same paths: FS_DIR
 * for the files osbench makes, COLD_DIR for the files the host wrote on the
 * benchmark disk (bench/os/osbench.mk, tools/mkbenchdisk.py).
 *
 * Calls: getpid, pipe, read, write, close, posix_spawn (with file actions),
 * waitpid, printf, open, fsync, unlink, stat, mkdir; on Linux also fork,
 * _exit and reboot (as /init it powers the machine off at the end), to
 * bring the disk up finit_module, mount and chroot, and perf_event_open
 * (the PMU's instruction count). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchsys.h"

#ifdef __linux__
#define OSBENCH_HAVE_FORK 1
#else
#define OSBENCH_HAVE_FORK 0
#endif

/* The program spawn+exit+wait starts: main returns 0 (bench/os/exit.c). */
#define EXIT_HELPER "/bin/osbench-exit"
#define MAX_BATCHES 64

extern char **environ;

typedef struct {
    const char *name;
    unsigned ops;     /* operations per batch */
    unsigned batches; /* batches measured, after one discarded warm-up batch */
    int (*start)(unsigned ops, unsigned batches);
    int (*batch)(unsigned ops);
    int (*check)(void); /* after each batch, outside the timing; may be NULL */
    void (*stop)(void);
} benchmark_t;

/* A start function's answer for an operation this run cannot measure (the
 * row says NA): only the cold read in --quick without the cold files. */
#define NOT_AVAILABLE 1

static const char *self_path; /* argv[0]: the pipe child is this program */
static int quick;             /* --quick: 2 operations a batch, 3 batches */

/* --- getpid: a round trip to the server (Keel: pm) or the kernel. A
 * batch makes exactly `ops` calls (tools/osprofile.py divides by them). */

static pid_t own_pid;

static int getpid_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    own_pid = getpid();
    return 0;
}

static int getpid_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        if (getpid() != own_pid) {
            bench_fail("getpid", EINVAL);
            return -1;
        }
    }
    return 0;
}

/* --- pipe round trip: one byte to the child over one pipe, back over the
 * other. The child is this program with --echo, its stdin and stdout the
 * pipes' ends (the other ends closed in it, so that it sees end of file). */

static struct {
    int to_child;   /* our write end */
    int from_child; /* our read end */
    pid_t child;
} echo;

static int add_echo_actions(posix_spawn_file_actions_t *fa, const int down[2], const int up[2])
{
    int error = posix_spawn_file_actions_adddup2(fa, down[0], 0);
    if (error == 0) {
        error = posix_spawn_file_actions_adddup2(fa, up[1], 1);
    }
    const int ends[4] = { down[0], down[1], up[0], up[1] };
    for (int i = 0; i < 4 && error == 0; i++) {
        error = posix_spawn_file_actions_addclose(fa, ends[i]);
    }
    return error;
}

static int spawn_echo(const int down[2], const int up[2])
{
    posix_spawn_file_actions_t fa;
    int error = posix_spawn_file_actions_init(&fa);
    if (error != 0) {
        return error;
    }
    error = add_echo_actions(&fa, down, up);
    if (error == 0) {
        char *argv[] = { (char *)self_path, "--echo", NULL };
        error = posix_spawn(&echo.child, self_path, &fa, NULL, argv, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    return error;
}

static int pipe_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    int down[2], up[2];
    if (pipe(down) != 0) {
        bench_fail("pipe", errno);
        return -1;
    }
    if (pipe(up) != 0) {
        bench_fail("pipe", errno);
        close(down[0]);
        close(down[1]);
        return -1;
    }
    int error = spawn_echo(down, up);
    close(down[0]);
    close(up[1]);
    echo.to_child = down[1];
    echo.from_child = up[0];
    if (error != 0) {
        bench_fail("posix_spawn of the echo child", error);
        close(echo.to_child);
        close(echo.from_child);
        return -1;
    }
    return 0;
}

static int pipe_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        char byte = (char)i;
        char back = 0;
        if (write(echo.to_child, &byte, 1) != 1) {
            bench_fail("pipe write", errno);
            return -1;
        }
        ssize_t n = read(echo.from_child, &back, 1);
        if (n != 1 || back != byte) {
            /* end of file or the wrong byte: the child is not echoing */
            bench_fail("pipe read", n < 0 ? errno : EIO);
            return -1;
        }
    }
    return 0;
}

static void pipe_stop(void)
{
    close(echo.to_child); /* the child reads end of file and exits */
    int status = 0;
    if (waitpid(echo.child, &status, 0) != echo.child) {
        bench_fail("waitpid of the echo child", errno);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("OSBENCH ERROR echo child: wait status 0x%x\n", (unsigned)status);
    }
    close(echo.from_child);
}

static int echo_main(void)
{
    char byte;
    ssize_t n;
    while ((n = read(0, &byte, 1)) == 1) {
        if (write(1, &byte, 1) != 1) {
            return 1;
        }
    }
    return n == 0 ? 0 : 1;
}

/* --- spawn+exit+wait of the exit helper; fork+exit+wait (Linux). */

static int reap(pid_t child, const char *what)
{
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
        bench_fail(what, errno);
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("OSBENCH ERROR %s: wait status 0x%x\n", what, (unsigned)status);
        return -1;
    }
    return 0;
}

static int spawn_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        char *argv[] = { EXIT_HELPER, NULL };
        pid_t child;
        int error = posix_spawn(&child, EXIT_HELPER, NULL, NULL, argv, environ);
        if (error != 0) {
            bench_fail("posix_spawn " EXIT_HELPER, error);
            return -1;
        }
        if (reap(child, "waitpid after posix_spawn") != 0) {
            return -1;
        }
    }
    return 0;
}

#if OSBENCH_HAVE_FORK
static int fork_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        pid_t child = fork();
        if (child < 0) {
            bench_fail("fork", errno);
            return -1;
        }
        if (child == 0) {
            _exit(0);
        }
        if (reap(child, "waitpid after fork") != 0) {
            return -1;
        }
    }
    return 0;
}
#endif

/* --- the file system. Every file osbench reads holds the same bytes on
 * both systems, a function of the file's number and the place: each 4 KiB
 * block starts with an 8-byte little-endian header, FS_MAGIC | file << 20 |
 * block, and its other 4088 bytes are body_byte(file, i) for i = 8..4095.
 * tools/mkbenchdisk.py writes the cold files (numbers 0..COLD_FILES - 1)
 * the same way. A timed batch checks each block's header as the data
 * arrives (16 compares a 64 KiB read: a block from the wrong place or
 * none fails); check functions, outside the timing, compare every byte
 * they can. */

#define FS_DIR "/osbench"
#define FS_SMALL FS_DIR "/small"
#define FS_CACHED FS_DIR "/cached"
#define FS_DEEP FS_DIR "/l2/l3/l4/l5" /* 5 components below the root */
#define COLD_DIR "/bench"
#define COLD_FILES 16
#define FS_MAGIC 0x4f53420000000000ull /* "OSB" in the top bytes */
#define FS_BLOCK 4096u
#define FS_CHUNK 65536u  /* bytes per read or write call: vfs's largest */
#define FS_FILE 1048576u /* the big files: 16 chunks, 256 blocks */
#define FS_BLOCKS_PER_CHUNK (FS_CHUNK / FS_BLOCK)
#define FS_WRITTEN_FILE 100u /* file numbers of the files osbench writes */
#define FS_CACHED_FILE 200u
#define FS_SMALL_FILE 300u
#define MAX_WRITE_OPS 4

static unsigned char fs_buffer[FS_CHUNK] __attribute__((aligned(16)));

static uint64_t block_header(unsigned file, unsigned block)
{
    return FS_MAGIC | (uint64_t)file << 20 | block;
}

static unsigned char body_byte(unsigned file, unsigned i)
{
    return (unsigned char)(1u + (file * 31u + i) % 251u);
}

static void put_header(unsigned char *at, uint64_t header)
{
    for (unsigned i = 0; i < 8; i++) {
        at[i] = (unsigned char)(header >> (8 * i));
    }
}

/* One chunk of file `file` starting at block `first`, every byte. */
static void fill_chunk(unsigned char *chunk, unsigned file, unsigned first)
{
    for (unsigned b = 0; b < FS_BLOCKS_PER_CHUNK; b++) {
        unsigned char *block = chunk + b * FS_BLOCK;
        put_header(block, block_header(file, first + b));
        for (unsigned i = 8; i < FS_BLOCK; i++) {
            block[i] = body_byte(file, i);
        }
    }
}

static int chunk_is(const unsigned char *chunk, unsigned file, unsigned first)
{
    for (unsigned b = 0; b < FS_BLOCKS_PER_CHUNK; b++) {
        const unsigned char *block = chunk + b * FS_BLOCK;
        uint64_t header;
        memcpy(&header, block, sizeof(header));
        if (header != block_header(file, first + b)) {
            return 0;
        }
        for (unsigned i = 8; i < FS_BLOCK; i++) {
            if (block[i] != body_byte(file, i)) {
                return 0;
            }
        }
    }
    return 1;
}

/* Inside the timing (inlined, so that tools/osprofile.py keeps the
 * batch's phase): one read call's worth, short counts continued. */
#define IN_BATCH static inline __attribute__((always_inline))

IN_BATCH int read_chunk(int fd, unsigned char *chunk)
{
    unsigned done = 0;
    while (done < FS_CHUNK) {
        ssize_t n = read(fd, chunk + done, FS_CHUNK - done);
        if (n <= 0) {
            return -1;
        }
        done += (unsigned)n;
    }
    return 0;
}

IN_BATCH int headers_are(const unsigned char *chunk, unsigned file, unsigned first)
{
    for (unsigned b = 0; b < FS_BLOCKS_PER_CHUNK; b++) {
        uint64_t header;
        memcpy(&header, chunk + b * FS_BLOCK, sizeof(header));
        if (header != block_header(file, first + b)) {
            return 0;
        }
    }
    return 1;
}

/* open, FS_FILE / FS_CHUNK reads, close; every block's header checked. */
IN_BATCH int read_file(const char *path, unsigned file)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        bench_fail(path, errno);
        return -1;
    }
    for (unsigned c = 0; c < FS_FILE / FS_CHUNK; c++) {
        if (read_chunk(fd, fs_buffer) != 0) {
            bench_fail(path, EIO);
            close(fd);
            return -1;
        }
        if (!headers_are(fs_buffer, file, c * FS_BLOCKS_PER_CHUNK)) {
            printf("OSBENCH ERROR %s: chunk %u holds the wrong blocks\n", path, c);
            close(fd);
            return -1;
        }
    }
    if (close(fd) != 0) {
        bench_fail(path, errno);
        return -1;
    }
    return 0;
}

/* Outside the timing: every byte of `path` (FS_FILE bytes of `file`, then
 * end of file). */
static int verify_file(const char *path, unsigned file)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        bench_fail(path, errno);
        return -1;
    }
    int ok = 1;
    for (unsigned c = 0; c < FS_FILE / FS_CHUNK && ok; c++) {
        ok = read_chunk(fd, fs_buffer) == 0 && chunk_is(fs_buffer, file, c * FS_BLOCKS_PER_CHUNK);
    }
    ok = ok && read(fd, fs_buffer, 1) == 0;
    close(fd);
    if (!ok) {
        printf("OSBENCH ERROR %s: not the %u bytes written\n", path, FS_FILE);
        return -1;
    }
    return 0;
}

/* Outside the timing: FS_FILE bytes of `file` to `path`, synced. */
static int write_file(const char *path, unsigned file)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
        bench_fail(path, errno);
        return -1;
    }
    int ok = 1;
    for (unsigned c = 0; c < FS_FILE / FS_CHUNK && ok; c++) {
        fill_chunk(fs_buffer, file, c * FS_BLOCKS_PER_CHUNK);
        ok = write(fd, fs_buffer, FS_CHUNK) == (ssize_t)FS_CHUNK;
    }
    ok = ok && fsync(fd) == 0;
    if (close(fd) != 0 || !ok) {
        bench_fail(path, errno);
        return -1;
    }
    return 0;
}

/* --- create+write+close+unlink of a 4 KiB file in FS_DIR. */

static int small_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    fill_chunk(fs_buffer, FS_SMALL_FILE, 0);
    /* once, untimed: the file reads back as written, then goes */
    int fd = open(FS_SMALL, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, fs_buffer, FS_BLOCK) != (ssize_t)FS_BLOCK || close(fd) != 0) {
        bench_fail(FS_SMALL " (first write)", errno);
        return -1;
    }
    static unsigned char back[FS_BLOCK];
    fd = open(FS_SMALL, O_RDONLY);
    int ok = fd >= 0 && read(fd, back, FS_BLOCK) == (ssize_t)FS_BLOCK &&
             memcmp(back, fs_buffer, FS_BLOCK) == 0 && read(fd, back, 1) == 0;
    if (fd >= 0) {
        close(fd);
    }
    if (!ok || unlink(FS_SMALL) != 0) {
        printf("OSBENCH ERROR " FS_SMALL ": does not read back as written\n");
        return -1;
    }
    return 0;
}

static int small_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        int fd = open(FS_SMALL, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) {
            bench_fail("open O_CREAT " FS_SMALL, errno);
            return -1;
        }
        ssize_t n = write(fd, fs_buffer, FS_BLOCK);
        if (n != (ssize_t)FS_BLOCK) {
            bench_fail("write " FS_SMALL, n < 0 ? errno : EIO);
            close(fd);
            return -1;
        }
        if (close(fd) != 0) {
            bench_fail("close " FS_SMALL, errno);
            return -1;
        }
        if (unlink(FS_SMALL) != 0) {
            bench_fail("unlink " FS_SMALL, errno);
            return -1;
        }
    }
    return 0;
}

static int small_check(void)
{
    struct stat st;
    if (stat(FS_SMALL, &st) == 0 || errno != ENOENT) {
        printf("OSBENCH ERROR " FS_SMALL ": still there after unlink\n");
        return -1;
    }
    return 0;
}

/* --- 1 MiB written in 64 KiB calls to a new file, fsync, close. The
 * files of a batch are checked and unlinked after it, untimed. */

static const char *const write_paths[MAX_WRITE_OPS] = {
    FS_DIR "/big-0",
    FS_DIR "/big-1",
    FS_DIR "/big-2",
    FS_DIR "/big-3",
};
static unsigned write_ops; /* files the last batch wrote */

static int big_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    fill_chunk(fs_buffer, FS_WRITTEN_FILE, 0);
    write_ops = 0;
    return 0;
}

static int big_batch(unsigned ops)
{
    if (ops > MAX_WRITE_OPS) {
        bench_fail("fs_write_1m_fsync batch", EINVAL);
        return -1;
    }
    for (unsigned i = 0; i < ops; i++) {
        const char *path = write_paths[i];
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        if (fd < 0) {
            bench_fail(path, errno);
            return -1;
        }
        for (unsigned c = 0; c < FS_FILE / FS_CHUNK; c++) {
            /* the chunk's blocks get their numbers: 16 headers */
            for (unsigned b = 0; b < FS_BLOCKS_PER_CHUNK; b++) {
                put_header(fs_buffer + b * FS_BLOCK,
                           block_header(FS_WRITTEN_FILE, c * FS_BLOCKS_PER_CHUNK + b));
            }
            ssize_t n = write(fd, fs_buffer, FS_CHUNK);
            if (n != (ssize_t)FS_CHUNK) {
                bench_fail(path, n < 0 ? errno : EIO);
                close(fd);
                return -1;
            }
        }
        if (fsync(fd) != 0) {
            bench_fail("fsync", errno);
            close(fd);
            return -1;
        }
        if (close(fd) != 0) {
            bench_fail(path, errno);
            return -1;
        }
        write_ops = i + 1;
    }
    return 0;
}

static int big_check(void)
{
    int result = 0;
    for (unsigned i = 0; i < write_ops; i++) {
        if (result == 0 && verify_file(write_paths[i], FS_WRITTEN_FILE) != 0) {
            result = -1;
        }
        if (unlink(write_paths[i]) != 0) {
            bench_fail(write_paths[i], errno);
            result = -1;
        }
    }
    write_ops = 0;
    fill_chunk(fs_buffer, FS_WRITTEN_FILE, 0); /* the verification used it */
    return result;
}

/* --- 1 MiB read in 64 KiB calls (open, 16 reads, close): cold, each
 * operation a file of COLD_DIR no one has read since boot; cached, the
 * same file again and again. */

static char cold_paths[COLD_FILES][sizeof(COLD_DIR "/cold-00")];
static unsigned cold_next, cold_needed;

static int cold_start(unsigned ops, unsigned batches)
{
    cold_needed = ops * (1 + batches);
    for (unsigned i = 0; i < COLD_FILES; i++) {
        snprintf(cold_paths[i], sizeof(cold_paths[i]), COLD_DIR "/cold-%02u", i);
    }
    cold_next = 0;
    struct stat st;
    for (unsigned i = 0; i < cold_needed; i++) {
        int found = i < COLD_FILES && stat(cold_paths[i], &st) == 0;
        if (!found && quick && (i >= COLD_FILES || errno == ENOENT)) {
            return NOT_AVAILABLE; /* the tests' disk has no cold files */
        }
        if (!found || st.st_size != FS_FILE) {
            printf("OSBENCH ERROR %s: missing or not %u bytes (%u cold files needed: "
                   "the benchmark disk has them)\n",
                   i < COLD_FILES ? cold_paths[i] : COLD_DIR, FS_FILE, cold_needed);
            return -1;
        }
    }
    return 0;
}

static int cold_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        if (cold_next >= cold_needed) {
            bench_fail("no cold file left", ENOENT);
            return -1;
        }
        unsigned file = cold_next++;
        if (read_file(cold_paths[file], file) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The last chunk read, every byte. */
static int cold_check(void)
{
    unsigned file = cold_next - 1;
    if (!chunk_is(fs_buffer, file, FS_FILE / FS_BLOCK - FS_BLOCKS_PER_CHUNK)) {
        printf("OSBENCH ERROR %s: the last chunk's bytes are wrong\n", cold_paths[file]);
        return -1;
    }
    return 0;
}

static int cached_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    /* written and read once, untimed: the warm-up batch is the second read */
    return write_file(FS_CACHED, FS_CACHED_FILE) == 0 && verify_file(FS_CACHED, FS_CACHED_FILE) == 0
               ? 0
               : -1;
}

static int cached_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        if (read_file(FS_CACHED, FS_CACHED_FILE) != 0) {
            return -1;
        }
    }
    return 0;
}

static int cached_check(void)
{
    if (!chunk_is(fs_buffer, FS_CACHED_FILE, FS_FILE / FS_BLOCK - FS_BLOCKS_PER_CHUNK)) {
        printf("OSBENCH ERROR " FS_CACHED ": the last chunk's bytes are wrong\n");
        return -1;
    }
    return 0;
}

static void cached_stop(void)
{
    if (unlink(FS_CACHED) != 0) {
        bench_fail("unlink " FS_CACHED, errno);
    }
}

/* --- stat of FS_DEEP, an empty file 5 components below the root. */

static ino_t deep_inode;

static int deep_start(unsigned ops, unsigned batches)
{
    (void)ops;
    (void)batches;
    const char *const dirs[] = { FS_DIR "/l2", FS_DIR "/l2/l3", FS_DIR "/l2/l3/l4" };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (make_dir(dirs[i]) != 0) {
            return -1;
        }
    }
    int fd = open(FS_DEEP, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || close(fd) != 0) {
        bench_fail(FS_DEEP, errno);
        return -1;
    }
    struct stat st;
    if (stat(FS_DEEP, &st) != 0) {
        bench_fail("stat " FS_DEEP, errno);
        return -1;
    }
    deep_inode = st.st_ino;
    return 0;
}

static struct stat deep_stat;

static int deep_batch(unsigned ops)
{
    for (unsigned i = 0; i < ops; i++) {
        if (stat(FS_DEEP, &deep_stat) != 0) {
            bench_fail("stat " FS_DEEP, errno);
            return -1;
        }
        if (deep_stat.st_ino != deep_inode) {
            bench_fail("stat " FS_DEEP ": another inode", EIO);
            return -1;
        }
    }
    return 0;
}

static int deep_check(void)
{
    if (!S_ISREG(deep_stat.st_mode) || deep_stat.st_size != 0) {
        printf("OSBENCH ERROR stat " FS_DEEP ": mode 0%o size %lld, not an empty file\n",
               (unsigned)deep_stat.st_mode, (long long)deep_stat.st_size);
        return -1;
    }
    return 0;
}

/* --- running and reporting */

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* measure and report stay functions of their own (noinline) so that
 * tools/osprofile.py, which names a phase after the function of this file
 * that ran last, sees the batches end before the result is printed. */
#define PHASE __attribute__((noinline))

/* One discarded warm-up batch, then `batches` timed ones, each followed
 * by the benchmark's check (untimed): 0 with samples[] filled
 * (instructions per operation), or -1. */
static PHASE int measure(const benchmark_t *b, uint64_t *samples, uint64_t *insns, uint64_t hz)
{
    if (b->batch(b->ops) != 0 || (b->check != NULL && b->check() != 0)) {
        return -1;
    }
    for (unsigned i = 0; i < b->batches; i++) {
        uint64_t insn_start = insn_now();
        uint64_t start = counter();
        int result = b->batch(b->ops);
        uint64_t end = counter();
        uint64_t insn_end = insn_now();
        if (result != 0 || (b->check != NULL && b->check() != 0)) {
            return -1;
        }
        samples[i] = per_operation(end - start, b->ops, hz);
        insns[i] = (insn_span(insn_start, insn_end) + b->ops / 2) / b->ops;
    }
    return 0;
}

static void report_line(const char *kind, const char *name, uint64_t *samples, unsigned batches)
{
    qsort(samples, batches, sizeof(samples[0]), compare_u64);
    printf("OSBENCH %s %s median=%llu min=%llu max=%llu n=%u\n", kind, name,
           (unsigned long long)samples[(batches - 1) / 2], (unsigned long long)samples[0],
           (unsigned long long)samples[batches - 1], batches);
}

/* RESULT: the counter's figure; INSTRUCTIONS: the PMU's, where there is
 * one. */
static PHASE void report(const char *name, uint64_t *samples, uint64_t *insns, unsigned batches)
{
    report_line("RESULT", name, samples, batches);
    if (insn_available()) {
        report_line("INSTRUCTIONS", name, insns, batches);
    }
}

static void not_available(const char *name)
{
    printf("OSBENCH NA %s\n", name);
}

static int run(const benchmark_t *b, uint64_t hz)
{
    uint64_t samples[MAX_BATCHES], insns[MAX_BATCHES];
    int started = b->start != NULL ? b->start(b->ops, b->batches) : 0;
    if (started == NOT_AVAILABLE) {
        not_available(b->name);
        return 0;
    }
    if (started != 0) {
        return -1;
    }
    int result = measure(b, samples, insns, hz);
    if (b->stop != NULL) {
        b->stop();
    }
    if (result != 0) {
        return -1;
    }
    report(b->name, samples, insns, b->batches);
    return 0;
}

static int run_list(const benchmark_t *list, size_t count, uint64_t hz)
{
    int failed = 0;
    for (size_t i = 0; i < count; i++) {
        benchmark_t b = list[i];
        if (quick) {
            b.ops = 2;
            b.batches = 3;
        }
        if (run(&b, hz) != 0) {
            failed = 1;
        }
    }
    return failed;
}

static int run_all(void)
{
    /* Batches stay well under a timer tick (Keel 2 ms, Linux 4 ms: 2-4
     * million instructions), so most batches see no interrupt. */
    const benchmark_t benchmarks[] = {
        { "getpid", 256, 31, getpid_start, getpid_batch, NULL, NULL },
        { "pipe_roundtrip", 64, 31, pipe_start, pipe_batch, NULL, pipe_stop },
        { "spawn_exit_wait", 4, 15, NULL, spawn_batch, NULL, NULL },
#if OSBENCH_HAVE_FORK
        { "fork_exit_wait", 4, 15, NULL, fork_batch, NULL, NULL },
#endif
    };
    /* The disk's: a cold read needs 1 + batches files (COLD_FILES). */
    const benchmark_t fs_benchmarks[] = {
        { "fs_create_write_unlink", 8, 15, small_start, small_batch, small_check, NULL },
        { "fs_write_1m_fsync", 1, 9, big_start, big_batch, big_check, NULL },
        { "fs_read_1m_cold", 1, COLD_FILES - 1, cold_start, cold_batch, cold_check, NULL },
        { "fs_read_1m_cached", 1, 15, cached_start, cached_batch, cached_check, cached_stop },
        { "fs_stat_deep", 64, 31, deep_start, deep_batch, deep_check, NULL },
    };
    uint64_t hz = counter_frequency();
    insn_open();
    printf("OSBENCH START counter %llu Hz\n", (unsigned long long)hz);
    int failed = run_list(benchmarks, sizeof(benchmarks) / sizeof(benchmarks[0]), hz);
    if (disk_up() != 0 || make_dir(FS_DIR) != 0) {
        failed = 1;
    } else {
        failed |= run_list(fs_benchmarks, sizeof(fs_benchmarks) / sizeof(fs_benchmarks[0]), hz);
    }
    if (!OSBENCH_HAVE_FORK) {
        not_available("fork_exit_wait");
    }
    printf(failed ? "OSBENCH FAILED\n" : "OSBENCH DONE\n");
    return failed;
}

int main(int argc, char **argv)
{
    self_path = argc > 0 ? argv[0] : "osbench";
    if (argc > 1 && strcmp(argv[1], "--echo") == 0) {
        return echo_main();
    }
    quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    int status = run_all();
    power_off_if_init();
    return status;
}
