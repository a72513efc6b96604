/* vfs's test client (tests/os/vfs.system, tests/tests.list os.vfs*): granted
 * vfs twice -- "vfspm" with PM_BADGE, acting as pm, and "vfs1" with badge 1,
 * acting as program 1 -- and the window pool "windows" it shares with vfs.
 * As pm it creates process 1 (parent 0: 0, 1 and 2 on the console) and
 * gives it the pool's second half as its window; as process 1 it calls
 * every method, the hostile ways included, and prints one line per check
 * on the debug console (no "vfs" in its start page: libos's early
 * console), then "vfstest: N checks, M failed". Last, as a new process 1,
 * it reads the console line by line until end of file. */
#include <errno.h>
#include <keel/os/dirent.h>
#include <keel/os/start.h>
#include <keel/proto/vfs.h>
#include <stdio.h>
#include <string.h>

static seL4_CPtr pm, me;
static unsigned char *pool, *window;
static size_t pool_size, window_size;
static int checks, failed;

#define WIN_STR 0     /* a path argument */
#define WIN_STR2 1200 /* a second one (rename) */
#define WIN_DATA 2400 /* read and write buffers */

static void check(const char *what, long got, long want)
{
    checks++;
    bool ok = got == want;
    failed += !ok;
    printf("vfstest: %s = %ld%s\n", what, got, ok ? "" : " FAIL");
    if (!ok) {
        printf("vfstest:   wanted %ld\n", want);
    }
}

/* Put s in the window at `at`; its (offset, length) for a str argument. */
static uint64_t put(uint64_t at, const char *s)
{
    memcpy(window + at, s, strlen(s));
    return strlen(s);
}

static long op_open(const char *path, uint64_t flags)
{
    return vfs_open(me, WIN_STR, put(WIN_STR, path), flags, 0644);
}

static long op_write(long fd, const char *s)
{
    return vfs_write(me, fd, WIN_DATA, put(WIN_DATA, s));
}

/* Read up to n bytes; the text read is at window + WIN_DATA. */
static long op_read(long fd, size_t n)
{
    memset(window + WIN_DATA, 0, n + 1);
    return vfs_read(me, fd, WIN_DATA, n);
}

static bool read_is(const char *s)
{
    return memcmp(window + WIN_DATA, s, strlen(s)) == 0;
}

#define PATH_CALL(fn, path) vfs_##fn(me, WIN_STR, put(WIN_STR, path))

static void test_setup(void)
{
    check("proc_create unprivileged (EPERM)", vfs_proc_create(me, 2, 0, 0, 0), -EPERM);
    check("a call before proc_create (ESRCH)", vfs_isatty(me, 0), -ESRCH);
    check("a buffer before proc_window (EINVAL)", op_open("/tmp", 0), -EINVAL);
    check("proc_create 1 parent 0", vfs_proc_create(pm, 1, 0, 0, 0), 0);
    check("proc_create 1 again (EEXIST)", vfs_proc_create(pm, 1, 0, 0, 0), -EEXIST);
    check("proc_create parent unknown (ESRCH)", vfs_proc_create(pm, 3, 77, 0, 0), -ESRCH);
    check("proc_window beyond the pool (EINVAL)", vfs_proc_window(pm, 1, pool_size / 2, pool_size),
          -EINVAL);
    check("proc_window", vfs_proc_window(pm, 1, pool_size / 2, window_size), 0);
    check("proc_exit unknown (ESRCH)", vfs_proc_exit(pm, 99), -ESRCH);
}

static void test_files(void)
{
    check("isatty 0 (console)", vfs_isatty(me, 0), 1);
    long fd = op_open("/tmp/a", VFS_O_RDWR | VFS_O_CREAT);
    check("open /tmp/a O_CREAT", fd, 3);
    check("write 11 bytes", op_write(fd, "hello world"), 11);
    check("isatty file (ENOTTY)", vfs_isatty(me, fd), -ENOTTY);
    check("lseek SEEK_SET 6", vfs_lseek(me, fd, 6, VFS_SEEK_SET), 6);
    check("read 16 after lseek", op_read(fd, 16), 5);
    check("read text is 'world'", read_is("world"), 1);
    check("read at end", op_read(fd, 16), 0);
    check("lseek negative (EINVAL)", vfs_lseek(me, fd, -1, VFS_SEEK_SET), -EINVAL);
    long d = vfs_dup(me, fd);
    check("dup", d, 4);
    check("lseek dup shares offset", vfs_lseek(me, d, 0, VFS_SEEK_CUR), 11);
    check("dup2 to 10", vfs_dup2(me, fd, 10), 10);
    check("close 4", vfs_close(me, 4), 0);
    check("close 4 again (EBADF)", vfs_close(me, 4), -EBADF);
    uint64_t mode = 0, size = 0;
    check("fstat", vfs_fstat(me, fd, &mode, &size, NULL, NULL, NULL, NULL), 0);
    check("fstat size", (long)size, 11);
    check("fstat type regular", (long)(mode >> 12), VFS_TYPE_REG);
    check("open O_EXCL existing (EEXIST)",
          op_open("/tmp/a", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_EXCL), -EEXIST);
    long ap = op_open("/tmp/a", VFS_O_WRONLY | VFS_O_APPEND);
    check("append write", op_write(ap, "!"), 1);
    check("stat size after append",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/a"), NULL, &size, NULL, NULL, NULL, NULL), 0);
    check("size 12", (long)size, 12);
    long tr = op_open("/tmp/a", VFS_O_WRONLY | VFS_O_TRUNC);
    check("O_TRUNC stat size 0",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/a"), NULL, &size, NULL, NULL, NULL, NULL) +
              (long)size,
          0);
    check("read on O_WRONLY (EBADF)", op_read(tr, 4), -EBADF);
    check("close all",
          vfs_close(me, fd) + vfs_close(me, 10) + vfs_close(me, ap) + vfs_close(me, tr), 0);
    check("open missing (ENOENT)", op_open("/tmp/none", VFS_O_RDONLY), -ENOENT);
    check("open through a file (ENOTDIR)", op_open("/tmp/a/b", VFS_O_RDONLY), -ENOTDIR);
    check("open dir for writing (EISDIR)", op_open("/tmp", VFS_O_WRONLY), -EISDIR);
}

static void test_dirs(void)
{
    check("mkdir /home/u", vfs_mkdir(me, WIN_STR, put(WIN_STR, "/home/u"), 0755), 0);
    check("mkdir again (EEXIST)", vfs_mkdir(me, WIN_STR, put(WIN_STR, "/home/u"), 0755), -EEXIST);
    check("chdir /home/u", PATH_CALL(chdir, "/home/u"), 0);
    check("chdir to a file (ENOTDIR)", PATH_CALL(chdir, "/tmp/a"), -ENOTDIR);
    check("getcwd", vfs_getcwd(me, WIN_DATA, 64), 8);
    check("getcwd text is /home/u", read_is("/home/u"), 1);
    check("getcwd small buffer (ERANGE)", vfs_getcwd(me, WIN_DATA, 4), -ERANGE);
    long f = op_open("f", VFS_O_WRONLY | VFS_O_CREAT);
    check("create relative f", f, 3);
    vfs_close(me, f);
    check("rmdir non-empty (ENOTEMPTY)", PATH_CALL(rmdir, "/home/u"), -ENOTEMPTY);
    check("rename f g", vfs_rename(me, WIN_STR, put(WIN_STR, "f"), WIN_STR2, put(WIN_STR2, "../g")),
          0);
    check("stat ../g",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/home/g"), NULL, NULL, NULL, NULL, NULL, NULL), 0);
    check("rename dir into itself (EINVAL)",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/home"), WIN_STR2, put(WIN_STR2, "/home/u/x")),
          -EINVAL);
    check("unlink /home/g", PATH_CALL(unlink, "/home/g"), 0);
    check("unlink again (ENOENT)", PATH_CALL(unlink, "/home/g"), -ENOENT);
    check("unlink a dir (EISDIR)", PATH_CALL(unlink, "/home/u"), -EISDIR);
    check("chdir /", PATH_CALL(chdir, "/"), 0);
    check("rmdir /home/u", PATH_CALL(rmdir, "/home/u"), 0);
    long d = op_open("/", VFS_O_RDONLY | VFS_O_DIRECTORY);
    long n = vfs_getdents(me, d, WIN_DATA, 1024);
    int names = 0;
    keel_dirent_t ent;
    char name[KEEL_DIRENT_NAME_MAX + 1];
    printf("vfstest: getdents /:");
    for (size_t at = 0; n > 0 && at < (size_t)n;) {
        at = keel_dirent_next(window + WIN_DATA, (size_t)n, at, &ent, name);
        if (at == 0) {
            break;
        }
        printf(" %s", name);
        names++;
    }
    printf("\n");
    check("getdents / entries", names, 6);
    check("getdents at the end", vfs_getdents(me, d, WIN_DATA, 1024), 0);
    check("getdents on a file (ENOTDIR)", vfs_getdents(me, 0, WIN_DATA, 1024), -ENOTDIR);
    vfs_close(me, d);
}

/* "name/" names a directory only (as Linux): a file behind a trailing
 * slash is -ENOTDIR for every call and is left as it was. /tmp/a is a file. */
static void test_trailing_slash(void)
{
    check("unlink file/ (ENOTDIR)", PATH_CALL(unlink, "/tmp/a/"), -ENOTDIR);
    check("rmdir file/ (ENOTDIR)", PATH_CALL(rmdir, "/tmp/a/"), -ENOTDIR);
    check("open file/ (ENOTDIR)", op_open("/tmp/a/", VFS_O_RDONLY), -ENOTDIR);
    check("create new/ (EISDIR)", op_open("/tmp/new/", VFS_O_WRONLY | VFS_O_CREAT), -EISDIR);
    check("rename file/ (ENOTDIR)",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/tmp/a/"), WIN_STR2, put(WIN_STR2, "/tmp/b")),
          -ENOTDIR);
    check("rename file to new/ (ENOTDIR)",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/tmp/a"), WIN_STR2, put(WIN_STR2, "/tmp/b/")),
          -ENOTDIR);
    check("rename file to itself/ (ENOTDIR)",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/tmp/a"), WIN_STR2, put(WIN_STR2, "/tmp/a/")),
          -ENOTDIR);
    check("stat the file after",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/a"), NULL, NULL, NULL, NULL, NULL, NULL), 0);
    check("stat no b or new",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/b"), NULL, NULL, NULL, NULL, NULL, NULL) +
              vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/new"), NULL, NULL, NULL, NULL, NULL, NULL),
          -2 * ENOENT);
    check("mkdir dir/", vfs_mkdir(me, WIN_STR, put(WIN_STR, "/tmp/m/"), 0755), 0);
    check("rename dir/ to dir2/",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/tmp/m/"), WIN_STR2, put(WIN_STR2, "/tmp/n//")), 0);
    check("rmdir dir2/", PATH_CALL(rmdir, "/tmp/n/"), 0);
}

/* The caller's directory was removed: nothing new is made in it (a node
 * there would outlive the directory), as on Linux. */
static void test_removed_directory(void)
{
    check("mkdir /tmp/gone", vfs_mkdir(me, WIN_STR, put(WIN_STR, "/tmp/gone"), 0755), 0);
    check("chdir /tmp/gone", PATH_CALL(chdir, "/tmp/gone"), 0);
    check("rmdir the directory", PATH_CALL(rmdir, "/tmp/gone"), 0);
    check("create in it (ENOENT)", op_open("f", VFS_O_WRONLY | VFS_O_CREAT), -ENOENT);
    check("mkdir in it (ENOENT)", vfs_mkdir(me, WIN_STR, put(WIN_STR, "d"), 0755), -ENOENT);
    check("rename into it (ENOENT)",
          vfs_rename(me, WIN_STR, put(WIN_STR, "/tmp/a"), WIN_STR2, put(WIN_STR2, "a")), -ENOENT);
    check("chdir .. from it (ENOENT)", PATH_CALL(chdir, ".."), -ENOENT);
    check("getcwd in it (ENOENT)", vfs_getcwd(me, WIN_DATA, 64), -ENOENT);
    check("chdir / again", PATH_CALL(chdir, "/"), 0);
    check("the file stayed",
          vfs_stat(me, WIN_STR, put(WIN_STR, "/tmp/a"), NULL, NULL, NULL, NULL, NULL, NULL), 0);
}

static void test_ro_and_dev(void)
{
    check("open /bin/hello for writing (EROFS)", op_open("/bin/hello", VFS_O_WRONLY), -EROFS);
    check("create in /bin (EROFS)", op_open("/bin/new", VFS_O_WRONLY | VFS_O_CREAT), -EROFS);
    check("unlink /bin/hello (EROFS)", PATH_CALL(unlink, "/bin/hello"), -EROFS);
    long b = op_open("/bin/hello", VFS_O_RDONLY);
    check("read /bin/hello ELF magic", op_read(b, 4) == 4 && read_is("\177ELF"), 1);
    vfs_close(me, b);
    long z = op_open("/dev/zero", VFS_O_RDONLY);
    memset(window + WIN_DATA, 0xff, 8);
    check("read /dev/zero", vfs_read(me, z, WIN_DATA, 8) + window[WIN_DATA + 7], 8);
    long nul = op_open("/dev/null", VFS_O_RDWR);
    check("write /dev/null", op_write(nul, "gone"), 4);
    check("read /dev/null", op_read(nul, 8), 0);
    check("lseek /dev/null (ESPIPE)", vfs_lseek(me, nul, 0, VFS_SEEK_SET), -ESPIPE);
    check("access /dev/null for writing", vfs_access(me, WIN_STR, put(WIN_STR, "/dev/null"), 2), 0);
    check("access /dev for writing (EROFS)", vfs_access(me, WIN_STR, put(WIN_STR, "/dev"), 2),
          -EROFS);
    vfs_close(me, z);
    vfs_close(me, nul);
    check("write console", op_write(1, "vfstest: console line\n"), 22);
    check("tcsetpgrp console", vfs_tcsetpgrp(me, 0, 7), 0);
    check("tcgetpgrp console", vfs_tcgetpgrp(me, 2), 7);
}

static void test_pipes(void)
{
    int64_t r = -1, w = -1;
    check("pipe", vfs_pipe(me, &r, &w), 0);
    check("pipe fds 3 and 4", r * 10 + w, 34);
    check("pipe write", op_write(w, "abc"), 3);
    check("pipe read 2", op_read(r, 2), 2);
    check("pipe read 8 (the rest)", op_read(r, 8) == 1 && read_is("c"), 1);
    check("lseek pipe (ESPIPE)", vfs_lseek(me, r, 0, VFS_SEEK_SET), -ESPIPE);
    check("read the write end (EBADF)", op_read(w, 1), -EBADF);
    /* Fill it: a write takes what fits, then the rest is refused only by
     * blocking, which this single-threaded client cannot try. */
    long total = 0;
    for (int i = 0; i < 5 && total < 4096; i++) {
        long n = vfs_write(me, w, WIN_DATA, 1000);
        total += n > 0 ? n : 0;
    }
    check("pipe holds 4096 (a partial last write)", total, 4096);
    check("close the write end", vfs_close(me, w), 0);
    total = 0;
    for (long n = 1; n > 0;) {
        n = op_read(r, 1000);
        total += n > 0 ? n : 0;
    }
    check("drain, then EOF", total, 4096);
    vfs_close(me, r);
    check("pipe 2", vfs_pipe(me, &r, &w), 0);
    check("close the read end", vfs_close(me, r), 0);
    check("write without reader (EPIPE)", op_write(w, "x"), -EPIPE);
    vfs_close(me, w);
}

static void test_hostile(void)
{
    check("fd 64 (EINVAL)", vfs_close(me, 64), -EINVAL);
    check("fd -1 (EINVAL)", vfs_read(me, -1, WIN_DATA, 1), -EINVAL);
    check("closed fd 40 (EBADF)", vfs_read(me, 40, WIN_DATA, 1), -EBADF);
    check("buffer past the window (EINVAL)", vfs_read(me, 0, window_size - 2, 4), -EINVAL);
    check("offset past the window (EINVAL)", vfs_write(me, 1, window_size + 1, 0), -EINVAL);
    check("huge offset (EINVAL)", vfs_write(me, 1, ~0ull - 1, 4), -EINVAL);
    memcpy(window + WIN_STR, "/tmp\0x", 6);
    check("path with a NUL inside (EINVAL)", vfs_open(me, WIN_STR, 6, 0, 0), -EINVAL);
    check("empty path (EINVAL)", vfs_open(me, WIN_STR, 0, 0, 0), -EINVAL);
    check("bad open flags (EINVAL)", vfs_open(me, WIN_STR, 4, 0x80000, 0), -EINVAL);
    check("unknown method (ENOSYS)",
          keel_proto_result(seL4_Call(me, seL4_MessageInfo_new(99, 0, 0, 0)), 1), -ENOSYS);
    char big[80];
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    check("name too long (ENAMETOOLONG)", op_open(big, VFS_O_CREAT | VFS_O_WRONLY), -ENAMETOOLONG);
    long fds = 0;
    while (op_open("/dev/null", VFS_O_RDONLY) >= 0) {
        fds++;
    }
    check("open until EMFILE: 61 more", fds, 61);
    check("the next (EMFILE)", op_open("/dev/null", VFS_O_RDONLY), -EMFILE);
    long big_fd = -1;
    for (int fd = 3; fd < 64; fd++) {
        vfs_close(me, fd);
    }
    big_fd = op_open("/tmp/big", VFS_O_RDWR | VFS_O_CREAT);
    long written = 0;
    for (long n = 1; n > 0;) {
        n = vfs_write(me, big_fd, WIN_DATA, 4000);
        written += n > 0 ? n : 0;
    }
    check("file size bound (64 KiB, then EFBIG)", written, 65536);
    vfs_close(me, big_fd);
    check("unknown pid (ESRCH)", vfs_proc_exit(pm, 5), -ESRCH);
}

static void test_exit(void)
{
    check("proc_create 2 from 1", vfs_proc_create(pm, 2, 1, 0, 0), 0);
    check("proc_exit 1", vfs_proc_exit(pm, 1), 0);
    check("a call from exited 1 (ESRCH)", vfs_isatty(me, 0), -ESRCH);
    check("proc_exit 2", vfs_proc_exit(pm, 2), 0);
}

/* Read console lines until end of file (Ctrl-D) and print each; the
 * os.vfs.tty entry types them (tests/os/vfstest/tty.script). */
static void test_tty(void)
{
    if (vfs_proc_create(pm, 1, 0, 0, 0) != 0 ||
        vfs_proc_window(pm, 1, pool_size / 2, window_size) != 0) {
        printf("vfstest: FAIL: cannot make process 1 again\n");
        return;
    }
    printf("vfstest: reading the console\n");
    for (long n = 1; n > 0;) {
        n = op_read(0, 64);
        printf("vfstest: console read %ld: [", n);
        for (long i = 0; i < n; i++) {
            char c = (char)window[WIN_DATA + i];
            printf(c == '\n' ? "\\n" : "%c", c);
        }
        printf("]\n");
    }
    printf("vfstest: console end of file\n");
}

/* Blocking pipes with a second process: vfspeer (this program with the
 * argument "peer", pid 2, at a higher priority) waits for a signal, then
 * makes one call that blocks; the action here wakes it, and it prints what
 * its call returned before waiting again. Pipe A: this process writes (fd
 * 4), the peer reads (its fd 3); pipe B: the peer writes (its fd 4), this
 * process reads (fd 5). */
#define PEER_WINDOW 4096

static void fill(long fd)
{
    while (vfs_write(me, fd, WIN_DATA, 1000) == 1000) {
    }
}

static void test_blocking(seL4_CPtr peer)
{
    int64_t a[2], b[2];
    check("pipes A and B", vfs_pipe(me, &a[0], &a[1]) + vfs_pipe(me, &b[0], &b[1]), 0);
    int32_t map[64];
    for (int i = 0; i < 64; i++) {
        map[i] = -1;
    }
    map[3] = (int32_t)a[0];
    map[4] = (int32_t)b[1];
    memcpy(pool, map, sizeof(map)); /* pm's window is the whole pool */
    check("proc_create 2 with a map", vfs_proc_create(pm, 2, 1, 0, sizeof(map)), 0);
    check("proc_window 2", vfs_proc_window(pm, 2, PEER_WINDOW, PEER_WINDOW), 0);
    seL4_Signal(peer); /* the peer blocks reading A */
    check("write A, waking the peer", op_write(a[1], "ping"), 4);
    check("the peer read ping", memcmp(pool + PEER_WINDOW, "ping", 4), 0);
    fill(b[1]);
    seL4_Signal(peer); /* the peer blocks writing B */
    /* the peer's write of 100 (at most PIPE_BUF) goes whole: 50 free
     * bytes leave it waiting, 100 let it through */
    check("read B, 50 bytes of room", op_read(b[0], 50), 50);
    check("read B, making room for 100", op_read(b[0], 50), 50);
    seL4_Signal(peer); /* the peer blocks reading A again */
    check("close A's write end", vfs_close(me, a[1]), 0);
    seL4_Signal(peer); /* the peer blocks writing B: still full (its 100 bytes) */
    check("close B's read ends", vfs_close(me, b[0]), 0);
    check("proc_exit 2", vfs_proc_exit(pm, 2), 0);
    vfs_close(me, a[0]);
    vfs_close(me, b[1]);
}

static void peer_main(void)
{
    const keel_startcap_t *own = keel_startinfo_find(keel_startinfo(), "notify");
    static const char *what[] = { "read of an empty pipe", "write to a full pipe",
                                  "read at end of file", "write without reader" };
    for (int step = 0; step < 4; step++) {
        seL4_Word bits;
        seL4_Wait(own->cptr, &bits);
        long r = step % 2 == 0 ? vfs_read(me, 3, 0, 16) : vfs_write(me, 4, 0, 100);
        printf("vfspeer: blocking %s = %ld\n", what[step], r);
    }
}

static const keel_startcap_t *cap(const char *name)
{
    const keel_startcap_t *c = keel_startinfo_find(keel_startinfo(), name);
    if (c == NULL) {
        printf("vfstest: FAIL: no grant %s\n", name);
    }
    return c;
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    const keel_startcap_t *m = cap("vfs1");
    if (argc > 1 && strcmp(argv[1], "peer") == 0 && m != NULL) {
        me = m->cptr;
        peer_main();
        return 0;
    }
    const keel_startcap_t *p = cap("vfspm"), *w = cap("windows"), *peer = cap("peer.notify");
    if (p == NULL || m == NULL || w == NULL || peer == NULL) {
        return 1;
    }
    pm = p->cptr;
    me = m->cptr;
    pool = (unsigned char *)w->vaddr;
    pool_size = w->size;
    window = pool + pool_size / 2;
    window_size = pool_size / 2;
    test_setup();
    test_files();
    test_dirs();
    test_trailing_slash();
    test_removed_directory();
    test_ro_and_dev();
    test_pipes();
    test_hostile();
    test_blocking(peer->cptr);
    test_exit();
    printf("vfstest: %d checks, %d failed\n", checks, failed);
    test_tty();
    return failed == 0 ? 0 : 1;
}
