/* The fake pm and vfs of libostest: threads serving the generated
 * dispatch of proto/pm.proto and proto/vfs.proto, recording what each
 * handler got (fake_record_t) and answering as the tests of main.c expect.
 * They print with seL4_DebugPutChar, never through the program's stdio. */
#include "libostest.h"

#include <errno.h>
#include <keel/gen/invocations.h>
#include <keel/os/dirent.h>
#include <keel/proto/pm_server.h>
#include <keel/proto/vfs_server.h>
#include <keel/syscalls.h>
#include <string.h>

#define ROOT seL4_CapInitThreadCNode

seL4_CPtr libostest_slot(void);
void libostest_thread(void (*fn)(void));

fake_record_t fake_pm_seen, fake_vfs_seen;
long fake_pm_spawn_result;
const char *fake_pm_spawn_only;
unsigned char fake_vfs_dirents[256] __attribute__((aligned(8)));
size_t fake_vfs_dirents_length;

static seL4_CPtr pm_endpoint, vfs_endpoint;
static seL4_Word heap_break = LIBOSTEST_HEAP_VADDR;

static void say(const char *s)
{
    while (*s != '\0') {
        seL4_DebugPutChar(*s++);
    }
}

static void record(fake_record_t *r, seL4_Word badge, int n, const int64_t *scalars)
{
    r->calls++;
    r->badge = badge;
    memset(r->scalar, 0, sizeof(r->scalar));
    memcpy(r->scalar, scalars, (size_t)n * sizeof(int64_t));
    r->text[0][0] = r->text[1][0] = '\0';
}

#define RECORD(r, ...)                                                                             \
    record(&(r), badge, sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t),                      \
           (int64_t[]){ __VA_ARGS__ })
#define RECORD_NONE(r) record(&(r), badge, 0, NULL)

static void record_text(fake_record_t *r, int i, const char *s)
{
    strncpy(r->text[i], s, sizeof(r->text[i]) - 1);
}

static void record_bytes(fake_record_t *r, const void *p, size_t n)
{
    r->length = n;
    memcpy(r->bytes, p, n < sizeof(r->bytes) ? n : sizeof(r->bytes));
}

/* --- pm ------------------------------------------------------------------- */

long proto_pm_spawn(void *ctx, seL4_Word badge, const char *path, const void *argv,
                    size_t argv_length, const void *envp, size_t envp_length, const void *fdmap,
                    size_t fdmap_length, int64_t pgid)
{
    (void)ctx;
    RECORD(fake_pm_seen, (int64_t)argv_length, (int64_t)envp_length, (int64_t)fdmap_length, pgid);
    record_text(&fake_pm_seen, 0, path);
    /* argv, envp and the map, back to back, for the test to compare. */
    unsigned char all[512];
    size_t n = 0;
    if (argv_length + envp_length + fdmap_length <= sizeof(all)) {
        memcpy(all, argv, argv_length);
        memcpy(all + argv_length, envp, envp_length);
        memcpy(all + argv_length + envp_length, fdmap, fdmap_length);
        n = argv_length + envp_length + fdmap_length;
    }
    record_bytes(&fake_pm_seen, all, n);
    if (fake_pm_spawn_only != NULL && strcmp(path, fake_pm_spawn_only) != 0) {
        return -ENOENT;
    }
    return fake_pm_spawn_result;
}

long proto_pm_exit(void *ctx, seL4_Word badge, int64_t status)
{
    (void)ctx;
    RECORD(fake_pm_seen, status);
    fake_pm_exit_seen((int)status);
    return KEEL_PROTO_DEFERRED; /* the caller never hears back */
}

/* Deferred on purpose: the reply goes out through a saved reply cap. */
long proto_pm_waitpid(void *ctx, seL4_Word badge, int64_t pid, uint64_t options, int64_t *status)
{
    (void)ctx;
    (void)status;
    RECORD(fake_pm_seen, pid, (int64_t)options);
    if (options & PM_WNOHANG) {
        return 0;
    }
    seL4_CPtr slot = libostest_slot();
    if (seL4_CNode_SaveCaller(ROOT, slot, seL4_WordBits) != seL4_NoError) {
        say("fake pm: SaveCaller failed\n");
        return -EIO;
    }
    seL4_Send(slot, proto_pm_waitpid_reply(7, 3 << 8));
    return KEEL_PROTO_DEFERRED;
}

long proto_pm_kill(void *ctx, seL4_Word badge, int64_t pid, int64_t sig)
{
    (void)ctx;
    RECORD(fake_pm_seen, pid, sig);
    return 0;
}

long proto_pm_getpid(void *ctx, seL4_Word badge)
{
    (void)ctx;
    RECORD_NONE(fake_pm_seen);
    return (long)badge;
}

long proto_pm_getppid(void *ctx, seL4_Word badge)
{
    (void)ctx;
    RECORD_NONE(fake_pm_seen);
    return 1;
}

long proto_pm_sbrk(void *ctx, seL4_Word badge, int64_t increment)
{
    (void)ctx;
    RECORD(fake_pm_seen, increment);
    seL4_Word end = LIBOSTEST_HEAP_VADDR + LIBOSTEST_HEAP_PAGES * 4096ul;
    seL4_Word old = heap_break;
    if ((increment > 0 && (seL4_Word)increment > end - heap_break) ||
        (increment < 0 && (seL4_Word)-increment > heap_break - LIBOSTEST_HEAP_VADDR)) {
        return -ENOMEM;
    }
    heap_break += (seL4_Word)increment;
    return (long)old;
}

long proto_pm_procinfo(void *ctx, seL4_Word badge, int64_t pid, int64_t *ppid, int64_t *pgid,
                       uint64_t *state, uint64_t *memory, char name[KEEL_PROTO_NAME_BYTES])
{
    (void)ctx;
    RECORD(fake_pm_seen, pid);
    if (pid > LIBOSTEST_PID) {
        return -ESRCH;
    }
    *ppid = 1;
    *pgid = LIBOSTEST_PID;
    *state = PM_STATE_RUNNING;
    *memory = 65536;
    strcpy(name, "libostest");
    return LIBOSTEST_PID;
}

long proto_pm_meminfo(void *ctx, seL4_Word badge, uint64_t *total, uint64_t *free, uint64_t *quota,
                      uint64_t *used)
{
    (void)ctx;
    RECORD_NONE(fake_pm_seen);
    *total = 1 << 30;
    *free = 1 << 29;
    *quota = 1 << 24;
    *used = heap_break - LIBOSTEST_HEAP_VADDR;
    return 0;
}

long proto_pm_nanosleep(void *ctx, seL4_Word badge, uint64_t ns)
{
    (void)ctx;
    RECORD(fake_pm_seen, (int64_t)ns);
    return 0;
}

/* 2023-11-14 22:13:20 UTC, when the counter read 0. */
long proto_pm_boottime(void *ctx, seL4_Word badge, int64_t *seconds, uint64_t *counter)
{
    (void)ctx;
    RECORD_NONE(fake_pm_seen);
    *seconds = 1700000000;
    *counter = 0;
    return 0;
}

long proto_pm_setpgid(void *ctx, seL4_Word badge, int64_t pid, int64_t pgid)
{
    (void)ctx;
    RECORD(fake_pm_seen, pid, pgid);
    return 0;
}

long proto_pm_getpgid(void *ctx, seL4_Word badge, int64_t pid)
{
    (void)ctx;
    RECORD(fake_pm_seen, pid);
    return LIBOSTEST_PID;
}

static uint64_t dispositions[PM_SIG_MAX + 1];

long proto_pm_signal(void *ctx, seL4_Word badge, int64_t sig, uint64_t action)
{
    (void)ctx;
    RECORD(fake_pm_seen, sig, (int64_t)action);
    uint64_t old = dispositions[sig];
    dispositions[sig] = action;
    return (long)old;
}

long proto_pm_halt(void *ctx, seL4_Word badge)
{
    (void)ctx;
    RECORD_NONE(fake_pm_seen);
    return -EPERM;
}

long proto_pm_faultinfo(void *ctx, seL4_Word badge, int64_t pid, uint64_t *addr, uint64_t *pc,
                        uint64_t *kind)
{
    (void)ctx;
    (void)addr;
    (void)pc;
    (void)kind;
    RECORD(fake_pm_seen, pid);
    return -ESRCH;
}

/* --- vfs ------------------------------------------------------------------ */

static char cwd[64] = "/";

long proto_vfs_open(void *ctx, seL4_Word badge, const char *path, uint64_t flags, uint64_t mode)
{
    (void)ctx;
    RECORD(fake_vfs_seen, (int64_t)flags, (int64_t)mode);
    record_text(&fake_vfs_seen, 0, path);
    if (strcmp(path, "/missing") == 0) {
        return -ENOENT;
    }
    return strcmp(path, "/f") == 0 ? 7 : 3;
}

long proto_vfs_close(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    return 0;
}

static const char file_text[] = "hello world";

long proto_vfs_read(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, (int64_t)buf_length);
    size_t n = buf_length < sizeof(file_text) - 1 ? buf_length : sizeof(file_text) - 1;
    memcpy(buf, file_text, n);
    return (long)n;
}

/* Writes to 1 and 2 are the console: printed as they come. */
long proto_vfs_write(void *ctx, seL4_Word badge, int64_t fd, const void *buf, size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, (int64_t)buf_length);
    record_bytes(&fake_vfs_seen, buf, buf_length);
    if (fd == 1 || fd == 2) {
        const char *c = buf;
        for (size_t i = 0; i < buf_length; i++) {
            seL4_DebugPutChar(c[i]);
        }
    }
    return (long)buf_length;
}

long proto_vfs_pread(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, void *buf,
                     size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, offset, (int64_t)buf_length);
    size_t n = buf_length < sizeof(file_text) - 1 ? buf_length : sizeof(file_text) - 1;
    memcpy(buf, file_text, n);
    return (long)n;
}

long proto_vfs_pwrite(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, const void *buf,
                      size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, offset, (int64_t)buf_length);
    record_bytes(&fake_vfs_seen, buf, buf_length);
    return (long)buf_length;
}

long proto_vfs_lseek(void *ctx, seL4_Word badge, int64_t fd, int64_t offset, uint64_t whence)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, offset, (int64_t)whence);
    return 1234;
}

long proto_vfs_stat(void *ctx, seL4_Word badge, const char *path, uint64_t *mode, uint64_t *size,
                    uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    *mode = (uint64_t)VFS_TYPE_DIR << 12 | 0755;
    *size = 0;
    *ino = 2;
    *dev = 1;
    *nlink = 2;
    *mtime = 1700000000;
    return 0;
}

long proto_vfs_fstat(void *ctx, seL4_Word badge, int64_t fd, uint64_t *mode, uint64_t *size,
                     uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    *mode = (uint64_t)VFS_TYPE_REG << 12 | 0644;
    *size = 123;
    *ino = 9;
    *dev = 1;
    *nlink = 1;
    *mtime = 1700000001;
    return 0;
}

long proto_vfs_isatty(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    return fd <= 2 ? 1 : -ENOTTY;
}

long proto_vfs_pipe(void *ctx, seL4_Word badge, int64_t *rfd, int64_t *wfd)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    *rfd = 4;
    *wfd = 5;
    return 0;
}

long proto_vfs_dup(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    return 6;
}

long proto_vfs_dup2(void *ctx, seL4_Word badge, int64_t fd, int64_t newfd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, newfd);
    return newfd;
}

long proto_vfs_chdir(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    strncpy(cwd, path, sizeof(cwd) - 1);
    return 0;
}

long proto_vfs_getcwd(void *ctx, seL4_Word badge, void *buf, size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, (int64_t)buf_length);
    size_t n = strlen(cwd) + 1;
    if (n > buf_length) {
        return -ERANGE;
    }
    memcpy(buf, cwd, n);
    return (long)n;
}

/* fake_vfs_dirents once, then the end. */
long proto_vfs_getdents(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, (int64_t)buf_length);
    size_t n = fake_vfs_dirents_length;
    if (n > buf_length) {
        return -EINVAL;
    }
    memcpy(buf, fake_vfs_dirents, n);
    fake_vfs_dirents_length = 0;
    return (long)n;
}

long proto_vfs_mkdir(void *ctx, seL4_Word badge, const char *path, uint64_t mode)
{
    (void)ctx;
    RECORD(fake_vfs_seen, (int64_t)mode);
    record_text(&fake_vfs_seen, 0, path);
    return 0;
}

long proto_vfs_rmdir(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    return 0;
}

long proto_vfs_unlink(void *ctx, seL4_Word badge, const char *path)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    return -ENOENT;
}

long proto_vfs_rename(void *ctx, seL4_Word badge, const char *from, const char *to)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, from);
    record_text(&fake_vfs_seen, 1, to);
    return 0;
}

long proto_vfs_tcgetpgrp(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    return LIBOSTEST_PID;
}

long proto_vfs_tcsetpgrp(void *ctx, seL4_Word badge, int64_t fd, int64_t pgid)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, pgid);
    return 0;
}

long proto_vfs_ftruncate(void *ctx, seL4_Word badge, int64_t fd, uint64_t length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, (int64_t)length);
    return 0;
}

long proto_vfs_fsync(void *ctx, seL4_Word badge, int64_t fd)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd);
    return fd == 3 ? 0 : -EBADF;
}

long proto_vfs_sync(void *ctx, seL4_Word badge)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    return 0;
}

long proto_vfs_link(void *ctx, seL4_Word badge, const char *from, const char *to)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, from);
    record_text(&fake_vfs_seen, 1, to);
    return 0;
}

long proto_vfs_symlink(void *ctx, seL4_Word badge, const char *target, const char *path)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, target);
    record_text(&fake_vfs_seen, 1, path);
    return -EEXIST;
}

/* The link "/l" holds "target"; the answer is cut at buf's length. */
long proto_vfs_readlink(void *ctx, seL4_Word badge, const char *path, void *buf, size_t buf_length)
{
    (void)ctx;
    RECORD(fake_vfs_seen, (int64_t)buf_length);
    record_text(&fake_vfs_seen, 0, path);
    if (strcmp(path, "/l") != 0) {
        return -EINVAL;
    }
    size_t n = buf_length < 6 ? buf_length : 6;
    memcpy(buf, "target", n);
    return (long)n;
}

long proto_vfs_utime(void *ctx, seL4_Word badge, const char *path, int64_t atime, int64_t mtime)
{
    (void)ctx;
    RECORD(fake_vfs_seen, atime, mtime);
    record_text(&fake_vfs_seen, 0, path);
    return 0;
}

long proto_vfs_access(void *ctx, seL4_Word badge, const char *path, uint64_t mode)
{
    (void)ctx;
    RECORD(fake_vfs_seen, (int64_t)mode);
    record_text(&fake_vfs_seen, 0, path);
    return (mode & 1) ? -EACCES : 0;
}

long proto_vfs_fcntl(void *ctx, seL4_Word badge, int64_t fd, uint64_t cmd, int64_t arg)
{
    (void)ctx;
    RECORD(fake_vfs_seen, fd, (int64_t)cmd, arg);
    return cmd == VFS_FCNTL_GETFL   ? (long)(VFS_O_WRONLY | VFS_O_APPEND)
           : cmd == VFS_FCNTL_DUPFD ? 7
                                    : 0;
}

long proto_vfs_lstat(void *ctx, seL4_Word badge, const char *path, uint64_t *mode, uint64_t *size,
                     uint64_t *ino, uint64_t *dev, uint64_t *nlink, int64_t *mtime)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    *mode = 0120777; /* a symbolic link */
    *size = 6;
    *ino = 12;
    *dev = 3;
    *nlink = 1;
    *mtime = 1700000002;
    return 0;
}

long proto_vfs_statfs(void *ctx, seL4_Word badge, const char *path, uint64_t *bsize,
                      uint64_t *blocks, uint64_t *bfree, uint64_t *bavail, uint64_t *files,
                      uint64_t *ffree)
{
    (void)ctx;
    RECORD_NONE(fake_vfs_seen);
    record_text(&fake_vfs_seen, 0, path);
    *bsize = 4096;
    *blocks = 1000;
    *bfree = 600;
    *bavail = 550;
    *files = 256;
    *ffree = 200;
    return 0;
}

long proto_vfs_proc_create(void *ctx, seL4_Word badge, int64_t pid, int64_t parent,
                           const void *fdmap, size_t fdmap_length)
{
    (void)ctx;
    (void)fdmap;
    RECORD(fake_vfs_seen, pid, parent, (int64_t)fdmap_length);
    return 0;
}

long proto_vfs_proc_window(void *ctx, seL4_Word badge, int64_t pid, uint64_t offset, uint64_t size)
{
    (void)ctx;
    RECORD(fake_vfs_seen, pid, (int64_t)offset, (int64_t)size);
    return 0;
}

long proto_vfs_proc_exit(void *ctx, seL4_Word badge, int64_t pid)
{
    (void)ctx;
    RECORD(fake_vfs_seen, pid);
    return 0;
}

/* pm's: libos never calls them. */
long proto_vfs_proc_load(void *ctx, seL4_Word badge, int64_t pid, const char *path, uint64_t offset,
                         void *buf, size_t buf_length, uint64_t *size, uint64_t *dev, uint64_t *ino,
                         int64_t *ctime)
{
    (void)ctx, (void)badge, (void)pid, (void)path, (void)offset, (void)buf, (void)buf_length;
    *size = *dev = *ino = 0;
    *ctime = -1;
    return -ENOSYS;
}

long proto_vfs_unmount(void *ctx, seL4_Word badge)
{
    (void)ctx, (void)badge;
    return -ENOSYS;
}

/* Sockets and poll: libostest's vfs has no network (its tests of them
 * run on the OS: tests/os/sockets). */
long proto_vfs_socket(void *ctx, seL4_Word badge, uint64_t type, uint64_t flags)
{
    (void)ctx, (void)badge, (void)type, (void)flags;
    return -EAFNOSUPPORT;
}

long proto_vfs_bind(void *ctx, seL4_Word badge, int64_t fd, uint64_t addr, uint64_t port)
{
    (void)ctx, (void)badge, (void)fd, (void)addr, (void)port;
    return -ENOTSOCK;
}

long proto_vfs_listen(void *ctx, seL4_Word badge, int64_t fd, int64_t backlog)
{
    (void)ctx, (void)badge, (void)fd, (void)backlog;
    return -ENOTSOCK;
}

long proto_vfs_accept(void *ctx, seL4_Word badge, int64_t fd, uint64_t flags, uint64_t *addr,
                      uint64_t *port)
{
    (void)ctx, (void)badge, (void)fd, (void)flags, (void)addr, (void)port;
    return -ENOTSOCK;
}

long proto_vfs_connect(void *ctx, seL4_Word badge, int64_t fd, uint64_t addr, uint64_t port)
{
    (void)ctx, (void)badge, (void)fd, (void)addr, (void)port;
    return -ENOTSOCK;
}

long proto_vfs_sendto(void *ctx, seL4_Word badge, int64_t fd, const void *buf, size_t buf_length,
                      uint64_t flags, uint64_t addr, uint64_t port)
{
    (void)ctx, (void)badge, (void)fd, (void)buf, (void)buf_length, (void)flags, (void)addr,
        (void)port;
    return -ENOTSOCK;
}

long proto_vfs_recvfrom(void *ctx, seL4_Word badge, int64_t fd, void *buf, size_t buf_length,
                        uint64_t flags, uint64_t *addr, uint64_t *port)
{
    (void)ctx, (void)badge, (void)fd, (void)buf, (void)buf_length, (void)flags, (void)addr,
        (void)port;
    return -ENOTSOCK;
}

long proto_vfs_shutdown(void *ctx, seL4_Word badge, int64_t fd, uint64_t how)
{
    (void)ctx, (void)badge, (void)fd, (void)how;
    return -ENOTSOCK;
}

long proto_vfs_sockname(void *ctx, seL4_Word badge, int64_t fd, uint64_t peer, uint64_t *addr,
                        uint64_t *port)
{
    (void)ctx, (void)badge, (void)fd, (void)peer, (void)addr, (void)port;
    return -ENOTSOCK;
}

long proto_vfs_setsockopt(void *ctx, seL4_Word badge, int64_t fd, uint64_t option, int64_t value)
{
    (void)ctx, (void)badge, (void)fd, (void)option, (void)value;
    return -ENOTSOCK;
}

long proto_vfs_getsockopt(void *ctx, seL4_Word badge, int64_t fd, uint64_t option)
{
    (void)ctx, (void)badge, (void)fd, (void)option;
    return -ENOTSOCK;
}

long proto_vfs_poll(void *ctx, seL4_Word badge, void *fds, size_t fds_length, int64_t timeout_ms)
{
    (void)ctx, (void)badge, (void)fds, (void)fds_length, (void)timeout_ms;
    return -ENOSYS;
}

long proto_vfs_netinfo(void *ctx, seL4_Word badge, void *buf, size_t buf_length)
{
    (void)ctx, (void)badge, (void)buf, (void)buf_length;
    return -ENETDOWN;
}

long proto_vfs_usage(void *ctx, seL4_Word badge, uint64_t *procs, uint64_t *ofiles, uint64_t *pipes,
                     uint64_t *waiters, uint64_t *replies)
{
    (void)ctx, (void)badge;
    *procs = *ofiles = *pipes = *waiters = *replies = 0;
    return -ENOSYS;
}

long proto_vfs_lock(void *ctx, seL4_Word badge, int64_t fd, uint64_t cmd, uint64_t type,
                    int64_t start, int64_t length, uint64_t *held, int64_t *held_start,
                    int64_t *held_length, int64_t *pid)
{
    (void)ctx, (void)badge, (void)fd, (void)cmd, (void)type, (void)start, (void)length;
    (void)held, (void)held_start, (void)held_length, (void)pid;
    return -ENOSYS;
}

long proto_vfs_clock(void *ctx, seL4_Word badge, int64_t seconds, uint64_t counter)
{
    (void)ctx, (void)badge, (void)seconds, (void)counter;
    return -ENOSYS;
}

/* --- the loops --------------------------------------------------------------- */

typedef bool dispatch_fn(const keel_proto_request_t *req, seL4_MessageInfo_t info,
                         seL4_MessageInfo_t *reply);

/* The program's window is at the same address here: one VSpace. */
static __attribute__((noreturn)) void serve(seL4_CPtr endpoint, dispatch_fn *dispatch)
{
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = seL4_Recv(endpoint, &badge);
    for (;;) {
        keel_proto_request_t req = { .ctx = NULL,
                                     .badge = badge,
                                     .window = (unsigned char *)LIBOSTEST_WINDOW_VADDR,
                                     .window_size = LIBOSTEST_WINDOW_PAGES * 4096ul,
                                     .privileged = false };
        seL4_MessageInfo_t reply;
        if (dispatch(&req, info, &reply)) {
            info = seL4_ReplyRecv(endpoint, reply, &badge);
        } else {
            info = seL4_Recv(endpoint, &badge);
        }
    }
}

static void pm_main(void)
{
    serve(pm_endpoint, proto_pm_dispatch);
}

static void vfs_main(void)
{
    serve(vfs_endpoint, proto_vfs_dispatch);
}

void fake_servers_start(seL4_CPtr pm, seL4_CPtr vfs)
{
    pm_endpoint = pm;
    vfs_endpoint = vfs;
    libostest_thread(pm_main);
    libostest_thread(vfs_main);
}
