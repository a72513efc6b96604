/* The tests of libostest (libostest.h): a program on libos and picolibc,
 * its calls answered by the fake pm and vfs of servers.c. Prints the
 * result-line protocol; the fake pm prints the last test (exit) and TEST
 * DONE when the program exits. */
#include "../../../user/os/lib/libos.h"
#include "libostest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <keel/os/dirent.h>
#include <keel/proto/pm.h>
#include <keel/proto/vfs.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static struct {
    bool failed;
    char reason[200];
} current;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond) && !current.failed) {                                                          \
            current.failed = true;                                                                 \
            snprintf(current.reason, sizeof(current.reason), "%s:%d: %s (errno %d)", __FILE__,     \
                     __LINE__, #cond, errno);                                                      \
        }                                                                                          \
    } while (0)

static void run(const char *name, void (*test)(void))
{
    current.failed = false;
    test();
    if (current.failed) {
        printf("TEST FAIL %s: %s\n", name, current.reason);
    } else {
        printf("TEST PASS %s\n", name);
    }
}

/* --- start and stdio ------------------------------------------------------ */

static int constructed;
static __attribute__((constructor)) void constructor(void)
{
    constructed++;
}

static int main_argc;
static char **main_argv;

static void startup_runs_constructors_and_sets_environ(void)
{
    CHECK(constructed == 1);
    CHECK(main_argc == 2);
    CHECK(strcmp(main_argv[0], "libostest") == 0);
    CHECK(strcmp(main_argv[1], "first arg") == 0);
    CHECK(getenv("HOME") != NULL && strcmp(getenv("HOME"), "/home") == 0);
    CHECK(getenv("NOPE") == NULL);
}

static void stdio_formats_through_picolibc(void)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%d %s %5.2f %lx", -42, "str", 3.14159, 0xbeeful);
    CHECK(strcmp(buf, "-42 str  3.14 beef") == 0);
    unsigned before = fake_vfs_seen.calls;
    printf("libostest: a line through stdout\n");
    CHECK(fake_vfs_seen.calls == before + 1); /* line-buffered: one write */
    CHECK(fake_vfs_seen.scalar[0] == 1);
    fprintf(stderr, "libostest: a line through stderr\n");
    CHECK(fake_vfs_seen.scalar[0] == 2);
}

/* libos's vfprintf (stdio_wrap.c, through --wrap) in front of picolibc's:
 * exact floats of its own, every other conversion picolibc's one at a time
 * with its argument; and its hexadecimal strtod. */
static bool formats(const char *want, const char *format, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, sizeof(buf), format, ap);
    va_end(ap);
    return n == (int)strlen(want) && strcmp(buf, want) == 0;
}

static void printf_wrapper_conversions(void)
{
    CHECK(formats("0.10000000000000001 0 2 0.12", "%.17g %.0f %.0f %.2f", 0.1, 0.5, 2.5, 0.125));
    CHECK(formats("99999999999999991611392", "%.0f", 1e23));
    CHECK(formats("4.9406564584125e-324", "%.14g", 5e-324));
    CHECK(formats("-0 inf -NAN   +1.500E+00", "%g %f %F %+*.3E", -0.0, INFINITY, -NAN, 12, 1.5));
    CHECK(formats("[   3.14] [3.1    ] [+0003]", "[%*.*f] [%-*.1f] [%+05.0f]", 7, 2, 3.14159, -7,
                  3.14159, 3.4));
    CHECK(formats("1.5 2.5", "%Lg %Lg", 1.5L, 2.5L));
    CHECK(formats("-42|  7|ff|FF|17|x|str|%|-1", "%d|%3u|%x|%X|%o|%c|%s|%%|%hhd", -42, 7u, 255u,
                  255u, 15u, 'x', "str", 255));
    CHECK(formats("123456789012 -5 18446744073709551615 42 -3", "%ld %lld %llu %zu %td",
                  123456789012L, -5LL, 18446744073709551615ULL, (size_t)42, (ptrdiff_t)-3));
    CHECK(formats("0x1.8p+0 0X1P-2", "%a %A", 1.5, 0.25));
    CHECK(formats("b a", "%2$s %1$s", "a", "b"));
    CHECK(formats("  ab|00042", "%4.2s|%05d", "abc", 42));
    int n1 = -1;
    short n2 = -1;
    char buf[8];
    CHECK(snprintf(buf, sizeof(buf), "12345%n%g%hn", &n1, 0.5, &n2) == 8);
    CHECK(n1 == 5 && n2 == 8 && strcmp(buf, "123450.") == 0); /* cut to 7 bytes */
    char *end;
    CHECK(strtod("0x1.8", &end) == 1.5 && *end == '\0');
    CHECK(strtod(" -0x.8p1z", &end) == -1.0 && *end == 'z');
    const char *zero = "0xp1";
    CHECK(strtod(zero, &end) == 0 && end == zero + 1);
    errno = 0;
    CHECK(strtod("0x1p2000", &end) == HUGE_VAL && errno == ERANGE);
    CHECK(strtod("1e-1", &end) == 0.1 && *end == '\0');
    CHECK(atof("0x10") == 16);
    CHECK(strtof("0x1.8", &end) == 1.5f && *end == '\0');
    CHECK(strtof("0x.8", &end) == 0.5f && *end == '\0');
    CHECK(strtof("-0X", &end) == 0 && *end == 'X');
    CHECK(strtold("0x1.8", &end) == 1.5L && *end == '\0');
    CHECK(strtold("0x.8", &end) == 0.5L && *end == '\0');
    CHECK(strtold("0xp1", &end) == 0 && *end == 'x');
    CHECK(strtold("0x1.00000000000000000000000000018p0", &end) ==
          1.0L + 0x2p-112L); /* a tie to even at 113 bits */
}

/* --- descriptors ------------------------------------------------------------ */

static void write_moves_everything_through_the_window(void)
{
    static char big[40000];
    memset(big, 'w', sizeof(big));
    unsigned before = fake_vfs_seen.calls;
    CHECK(write(3, big, sizeof(big)) == (ssize_t)sizeof(big));
    /* 16 KiB of window: three calls. */
    CHECK(fake_vfs_seen.calls == before + 3);
    CHECK(fake_vfs_seen.scalar[1] == (int64_t)(sizeof(big) - 2 * 16384));
    CHECK(write(3, big, 0) == 0);
    before = fake_vfs_seen.calls;
    errno = 0;
    CHECK(write(-1, big, 1) == -1 && errno == EBADF);
    CHECK(write(64, big, 1) == -1 && errno == EBADF);
    CHECK(fake_vfs_seen.calls == before); /* refused before any call */
}

static void read_copies_from_the_window(void)
{
    char buf[100] = { 0 };
    CHECK(read(3, buf, sizeof(buf)) == 11);
    CHECK(memcmp(buf, "hello world", 11) == 0);
    CHECK(fake_vfs_seen.scalar[0] == 3 && fake_vfs_seen.scalar[1] == 100);
    static char large[100000];
    CHECK(read(3, large, sizeof(large)) == 11);
    CHECK(fake_vfs_seen.scalar[1] == 16384); /* one window's worth asked */
    errno = 0;
    CHECK(read(-5, buf, 1) == -1 && errno == EBADF);
}

/* pread and pwrite: one request each, offset and length as given. */
static void pread_pwrite_at_an_offset(void)
{
    char buf[100] = { 0 };
    unsigned before = fake_vfs_seen.calls;
    CHECK(pread(3, buf, sizeof(buf), 5000) == 11);
    CHECK(memcmp(buf, "hello world", 11) == 0);
    CHECK(fake_vfs_seen.calls == before + 1);
    CHECK(fake_vfs_seen.scalar[0] == 3 && fake_vfs_seen.scalar[1] == 5000 &&
          fake_vfs_seen.scalar[2] == 100);
    before = fake_vfs_seen.calls;
    CHECK(pwrite(3, "abc", 3, 70000) == 3);
    CHECK(fake_vfs_seen.calls == before + 1);
    CHECK(fake_vfs_seen.scalar[0] == 3 && fake_vfs_seen.scalar[1] == 70000 &&
          fake_vfs_seen.scalar[2] == 3 && memcmp(fake_vfs_seen.bytes, "abc", 3) == 0);
    /* more than the window: a request per window's worth, each further on */
    static char big[20000];
    before = fake_vfs_seen.calls;
    CHECK(pwrite(3, big, sizeof(big), 100) == (ssize_t)sizeof(big));
    CHECK(fake_vfs_seen.calls == before + 2);
    CHECK(fake_vfs_seen.scalar[1] == 100 + 16384 &&
          fake_vfs_seen.scalar[2] == (int64_t)(sizeof(big) - 16384));
    before = fake_vfs_seen.calls;
    errno = 0;
    CHECK(pread(3, buf, 1, -1) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(pwrite(3, buf, 1, -1) == -1 && errno == EINVAL);
    errno = 0;
    CHECK(pread(64, buf, 1, 0) == -1 && errno == EBADF);
    CHECK(fake_vfs_seen.calls == before); /* refused before any call */
}

static void open_close_lseek(void)
{
    CHECK(open("/etc/motd", O_RDONLY) == 3);
    CHECK(strcmp(fake_vfs_seen.text[0], "/etc/motd") == 0);
    CHECK(fake_vfs_seen.scalar[0] == VFS_O_RDONLY);
    CHECK(fake_vfs_seen.badge == LIBOSTEST_PID);
    CHECK(open("/x", O_WRONLY | O_CREAT | O_TRUNC, 0640) == 3);
    CHECK(fake_vfs_seen.scalar[0] == (VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC));
    CHECK(fake_vfs_seen.scalar[1] == 0640);
    errno = 0;
    CHECK(open("/missing", O_RDONLY) == -1 && errno == ENOENT);
    unsigned before = fake_vfs_seen.calls;
    CHECK(open("", O_RDONLY) == -1 && errno == ENOENT);
    static char long_path[2000];
    memset(long_path, 'p', sizeof(long_path) - 1);
    CHECK(open(long_path, O_RDONLY) == -1 && errno == ENAMETOOLONG);
    CHECK(open("/x", O_RDONLY | 0x1000000 /* O_NOATIME */) == -1 && errno == EINVAL);
    CHECK(fake_vfs_seen.calls == before);
    CHECK(close(3) == 0 && fake_vfs_seen.scalar[0] == 3);
    CHECK(lseek(3, 10, SEEK_END) == 1234);
    CHECK(fake_vfs_seen.scalar[0] == 3 && fake_vfs_seen.scalar[1] == 10 &&
          fake_vfs_seen.scalar[2] == VFS_SEEK_END);
    /* whence out of range: the dispatch refuses it. */
    CHECK(lseek(3, 0, 7) == -1 && errno == EINVAL);
}

static void stat_fstat_isatty(void)
{
    struct stat st;
    CHECK(stat("/bin", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755);
    CHECK(strcmp(fake_vfs_seen.text[0], "/bin") == 0);
    CHECK(fstat(3, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 123 && st.st_ino == 9);
    CHECK(st.st_mtime == 1700000001);
    CHECK(isatty(0) == 1);
    errno = 0;
    CHECK(isatty(3) == 0 && errno == ENOTTY);
}

static void pipe_dup_dup2(void)
{
    int fds[2] = { -1, -1 };
    CHECK(pipe(fds) == 0 && fds[0] == 4 && fds[1] == 5);
    CHECK(dup(3) == 6);
    CHECK(dup2(3, 9) == 9 && fake_vfs_seen.scalar[1] == 9);
    unsigned before = fake_vfs_seen.calls;
    CHECK(dup2(3, 64) == -1 && errno == EBADF);
    CHECK(fake_vfs_seen.calls == before);
}

static void directories_and_names(void)
{
    CHECK(mkdir("/tmp/d", 0755) == 0 && strcmp(fake_vfs_seen.text[0], "/tmp/d") == 0);
    CHECK(fake_vfs_seen.scalar[0] == 0755);
    CHECK(rmdir("/tmp/d") == 0);
    errno = 0;
    CHECK(unlink("/nothing") == -1 && errno == ENOENT);
    CHECK(rename("/a", "/bb") == 0);
    CHECK(strcmp(fake_vfs_seen.text[0], "/a") == 0 && strcmp(fake_vfs_seen.text[1], "/bb") == 0);
    CHECK(chdir("/tmp") == 0);
    char buf[64];
    CHECK(getcwd(buf, sizeof(buf)) == buf && strcmp(buf, "/tmp") == 0);
    CHECK(getcwd(buf, 3) == NULL && errno == ERANGE);
    char *allocated = getcwd(NULL, 0);
    CHECK(allocated != NULL && strcmp(allocated, "/tmp") == 0);
    free(allocated);
    CHECK(chdir("/") == 0);
}

/* The calls that came with the disk: each request as the wire has it. */
static void disk_calls(void)
{
    CHECK(ftruncate(3, 5000) == 0 && fake_vfs_seen.scalar[0] == 3 &&
          fake_vfs_seen.scalar[1] == 5000);
    CHECK(ftruncate(3, -1) == -1 && errno == EINVAL);
    CHECK(fsync(3) == 0 && fsync(4) == -1 && errno == EBADF);
    unsigned before = fake_vfs_seen.calls;
    sync();
    CHECK(fake_vfs_seen.calls == before + 1);
    CHECK(link("/a", "/b") == 0 && strcmp(fake_vfs_seen.text[0], "/a") == 0 &&
          strcmp(fake_vfs_seen.text[1], "/b") == 0);
    CHECK(symlink("../t", "/s") == -1 && errno == EEXIST &&
          strcmp(fake_vfs_seen.text[0], "../t") == 0 && strcmp(fake_vfs_seen.text[1], "/s") == 0);
    char buf[16];
    CHECK(readlink("/l", buf, sizeof(buf)) == 6 && memcmp(buf, "target", 6) == 0);
    CHECK(readlink("/l", buf, 3) == 3 && memcmp(buf, "tar", 3) == 0 &&
          fake_vfs_seen.scalar[0] == 3);
    CHECK(readlink("/f", buf, sizeof(buf)) == -1 && errno == EINVAL);
    struct utimbuf times = { .actime = 1000, .modtime = 2000 };
    CHECK(utime("/f", &times) == 0 && fake_vfs_seen.scalar[0] == 1000 &&
          fake_vfs_seen.scalar[1] == 2000);
    struct timeval tv[2] = { { 30, 0 }, { 40, 0 } };
    CHECK(utimes("/f", tv) == 0 && fake_vfs_seen.scalar[0] == 30 && fake_vfs_seen.scalar[1] == 40);
    CHECK(utime("/f", NULL) == 0 && fake_vfs_seen.scalar[0] == fake_vfs_seen.scalar[1] &&
          fake_vfs_seen.scalar[0] > 0);
    CHECK(access("/f", R_OK | W_OK) == 0 && fake_vfs_seen.scalar[0] == 6);
    CHECK(access("/f", X_OK) == -1 && errno == EACCES);
    CHECK(access("/f", 8) == -1 && errno == EINVAL);
    CHECK(fcntl(3, F_GETFL) == (O_WRONLY | O_APPEND));
    CHECK(fcntl(3, F_SETFL, O_APPEND | O_NONBLOCK) == 0 &&
          fake_vfs_seen.scalar[1] == VFS_FCNTL_SETFL &&
          fake_vfs_seen.scalar[2] == (VFS_O_APPEND | VFS_O_NONBLOCK));
    CHECK(fcntl(3, F_SETFL, O_APPEND | O_SYNC) == 0 && fake_vfs_seen.scalar[2] == VFS_O_APPEND);
    CHECK(fcntl(3, F_DUPFD, 5) == 7 && fake_vfs_seen.scalar[2] == 5);
    CHECK(fcntl(3, F_DUPFD, -1) == -1 && errno == EINVAL);
    CHECK(fcntl(3, 99) == -1 && errno == EINVAL);
    struct stat st;
    CHECK(lstat("/l", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 6 && st.st_ino == 12);
    struct statvfs fs;
    CHECK(statvfs("/", &fs) == 0 && fs.f_bsize == 4096 && fs.f_blocks == 1000 &&
          fs.f_bfree == 600 && fs.f_bavail == 550 && fs.f_files == 256 && fs.f_ffree == 200);
}

static void readdir_decodes_records(void)
{
    size_t n = 0;
    n = keel_dirent_put(fake_vfs_dirents, sizeof(fake_vfs_dirents), n, 1, VFS_TYPE_DIR, ".", 1);
    n = keel_dirent_put(fake_vfs_dirents, sizeof(fake_vfs_dirents), n, 1, VFS_TYPE_DIR, "..", 2);
    n = keel_dirent_put(fake_vfs_dirents, sizeof(fake_vfs_dirents), n, 8, VFS_TYPE_REG, "motd", 4);
    fake_vfs_dirents_length = n;
    DIR *dir = opendir("/etc");
    CHECK(dir != NULL);
    if (dir == NULL) {
        return;
    }
    CHECK(fake_vfs_seen.scalar[0] == (VFS_O_RDONLY | VFS_O_DIRECTORY));
    struct dirent *e = readdir(dir);
    CHECK(e != NULL && strcmp(e->d_name, ".") == 0 && e->d_type == DT_DIR);
    e = readdir(dir);
    CHECK(e != NULL && strcmp(e->d_name, "..") == 0);
    e = readdir(dir);
    CHECK(e != NULL && strcmp(e->d_name, "motd") == 0 && e->d_type == DT_REG && e->d_ino == 8);
    errno = 0;
    CHECK(readdir(dir) == NULL && errno == 0); /* the end leaves errno alone */
    /* A batch with a broken record. */
    n = keel_dirent_put(fake_vfs_dirents, sizeof(fake_vfs_dirents), 0, 1, VFS_TYPE_REG, "x", 1);
    ((keel_dirent_t *)fake_vfs_dirents)->reclen = 200;
    fake_vfs_dirents_length = n;
    CHECK(readdir(dir) == NULL && errno == EIO);
    CHECK(closedir(dir) == 0 && fake_vfs_seen.scalar[0] == 3);
}

/* setvbuf after output (libos's wrapper): what is buffered is written
 * first, and the new buffers work. */
static bool last_write_is(const char *text)
{
    size_t n = strlen(text);
    return fake_vfs_seen.length == n && memcmp(fake_vfs_seen.bytes, text, n) == 0;
}

static void setvbuf_after_output(void)
{
    FILE *f = fopen("/g", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    fputs("buffered ", f);
    CHECK(setvbuf(f, NULL, _IONBF, 0) == 0);
    CHECK(last_write_is("buffered "));
    fputs("ab", f);
    CHECK(last_write_is("b")); /* unbuffered: a write a byte */
    CHECK(setvbuf(f, NULL, _IOFBF, 1024) == 0);
    unsigned before = fake_vfs_seen.calls;
    fputs("full ", f);
    CHECK(fake_vfs_seen.calls == before);
    CHECK(fflush(f) == 0);
    CHECK(last_write_is("full "));
    fputs("more ", f);
    CHECK(setvbuf(f, NULL, _IOLBF, 64) == 0);
    CHECK(last_write_is("more "));
    fputs("line\n", f);
    CHECK(last_write_is("line\n"));
    CHECK(fclose(f) == 0);
}

static void fopen_fprintf_fclose(void)
{
    FILE *f = fopen("/f", "w");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    CHECK(fake_vfs_seen.scalar[0] == (VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC));
    fprintf(f, "x=%d\n", 5);
    CHECK(fclose(f) == 0);
    CHECK(fake_vfs_seen.scalar[0] == 7); /* the close; the write came before it */
}

static void fread_through_stdio(void)
{
    FILE *f = fopen("/etc/motd", "r");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    char line[32] = { 0 };
    CHECK(fgets(line, sizeof(line), f) != NULL && strncmp(line, "hello world", 11) == 0);
    fclose(f);
}

/* --- processes -------------------------------------------------------------- */

static void process_identity_and_kill(void)
{
    CHECK(getpid() == LIBOSTEST_PID);
    CHECK(fake_pm_seen.badge == LIBOSTEST_PID);
    CHECK(getppid() == 1);
    CHECK(kill(7, SIGTERM) == 0 && fake_pm_seen.scalar[0] == 7 && fake_pm_seen.scalar[1] == 15);
    CHECK(kill(-3, SIGINT) == 0 && fake_pm_seen.scalar[0] == -3 && fake_pm_seen.scalar[1] == 2);
    unsigned before = fake_pm_seen.calls;
    errno = 0;
    CHECK(kill(40000, 0) == -1 && errno == EINVAL); /* refused by the dispatch */
    CHECK(kill(1, 32) == -1 && errno == EINVAL);
    CHECK(fake_pm_seen.calls == before);
}

static void waitpid_gets_a_deferred_reply(void)
{
    int status = 0;
    CHECK(waitpid(-1, &status, 0) == 7);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    CHECK(fake_pm_seen.scalar[0] == -1 && fake_pm_seen.scalar[1] == 0);
    CHECK(waitpid(5, &status, WNOHANG) == 0);
    CHECK(fake_pm_seen.scalar[0] == 5 && fake_pm_seen.scalar[1] == PM_WNOHANG);
    CHECK(wait(&status) == 7);
    unsigned before = fake_pm_seen.calls;
    CHECK(waitpid(-1, &status, 4) == -1 && errno == EINVAL);
    CHECK(fake_pm_seen.calls == before);
}

static void posix_spawn_packs_the_request(void)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    CHECK(posix_spawn_file_actions_init(&fa) == 0);
    CHECK(posix_spawn_file_actions_adddup2(&fa, 5, 1) == 0);
    CHECK(posix_spawn_file_actions_addclose(&fa, 2) == 0);
    CHECK(posix_spawn_file_actions_addclose(&fa, 64) == EBADF);
    CHECK(posix_spawnattr_init(&attr) == 0);
    CHECK(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) == 0);
    CHECK(posix_spawnattr_setpgroup(&attr, 0) == 0);
    char *argv[] = { "echo", "hi", NULL };
    char *envp[] = { "A=1", NULL };
    pid_t pid = 0;
    fake_pm_spawn_result = 77;
    fake_pm_spawn_only = NULL;
    CHECK(posix_spawn(&pid, "/bin/echo", &fa, &attr, argv, envp) == 0 && pid == 77);
    CHECK(strcmp(fake_pm_seen.text[0], "/bin/echo") == 0);
    CHECK(fake_pm_seen.scalar[0] == 8 && fake_pm_seen.scalar[1] == 4);
    CHECK(fake_pm_seen.scalar[2] == 12 && fake_pm_seen.scalar[3] == 0);
    static const unsigned char want[] = {
        'e', 'c', 'h', 'o', 0, 'h', 'i', 0, 'A',  '=',  '1',  0,
        0,   0,   0,   0,   5, 0,   0,   0, 0xff, 0xff, 0xff, 0xff
    };
    CHECK(fake_pm_seen.length == sizeof(want) && memcmp(fake_pm_seen.bytes, want, 24) == 0);
    CHECK(posix_spawnattr_destroy(&attr) == 0);
    CHECK(posix_spawn_file_actions_destroy(&fa) == 0);

    /* No attributes, no actions: the caller's group (-1), an empty map, and
     * the environment of the process when envp is NULL. */
    CHECK(posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, NULL) == 0);
    CHECK(fake_pm_seen.scalar[2] == 0 && fake_pm_seen.scalar[3] == -1);
    CHECK(memcmp(fake_pm_seen.bytes + 8, "HOME=/home", 11) == 0);
    fake_pm_spawn_result = -ENOEXEC;
    CHECK(posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, envp) == ENOEXEC);
    char *no_args[] = { NULL };
    CHECK(posix_spawn(&pid, "/bin/echo", NULL, NULL, no_args, envp) == EINVAL);
}

static void posix_spawnp_searches_path(void)
{
    char *argv[] = { "echo", NULL };
    pid_t pid = 0;
    fake_pm_spawn_result = 78;
    fake_pm_spawn_only = "/bin/echo";
    unsigned before = fake_pm_seen.calls;
    CHECK(posix_spawnp(&pid, "echo", NULL, NULL, argv, NULL) == 0 && pid == 78);
    CHECK(fake_pm_seen.calls == before + 2); /* /nope/echo, then /bin/echo */
    CHECK(posix_spawnp(&pid, "nothing", NULL, NULL, argv, NULL) == ENOENT);
    fake_pm_spawn_only = NULL;
}

static void spawn_opens_for_the_child_and_closes_after(void)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/out", O_WRONLY | O_CREAT, 0644);
    char *argv[] = { "ls", NULL };
    pid_t pid;
    fake_pm_spawn_result = 79;
    unsigned before = fake_vfs_seen.calls;
    CHECK(posix_spawn(&pid, "/bin/ls", &fa, NULL, argv, NULL) == 0 && pid == 79);
    CHECK(fake_vfs_seen.calls == before + 2); /* open, then close once pm has it */
    CHECK(fake_vfs_seen.scalar[0] == 3);      /* the close of what the open gave */
    /* The child's 1 is the parent's 3; its own 3 stays closed. The fake pm
     * recorded argv, envp and the map back to back. */
    static const int32_t want[] = { 0, 3, 2, -1 };
    CHECK(fake_pm_seen.scalar[2] == sizeof(want));
    size_t map_at = (size_t)(fake_pm_seen.scalar[0] + fake_pm_seen.scalar[1]);
    CHECK(map_at + sizeof(want) == fake_pm_seen.length &&
          memcmp(fake_pm_seen.bytes + map_at, want, sizeof(want)) == 0);
    posix_spawn_file_actions_destroy(&fa);
}

static void malloc_grows_through_pm(void)
{
    unsigned before = fake_pm_seen.calls;
    char *p = malloc(100000);
    CHECK(p != NULL);
    CHECK((uintptr_t)p >= LIBOSTEST_HEAP_VADDR &&
          (uintptr_t)p < LIBOSTEST_HEAP_VADDR + LIBOSTEST_HEAP_PAGES * 4096ul);
    CHECK(fake_pm_seen.calls > before);
    if (p != NULL) {
        memset(p, 1, 100000);
    }
    free(p);
    /* Through a pointer: clang takes the builtin malloc to touch no memory
     * the program sees, errno included, and would fold the checks. */
    void *(*volatile allocate)(size_t) = malloc;
    errno = 0;
    CHECK(allocate(10 << 20) == NULL && errno == ENOMEM);
    void *now = sbrk(0);
    CHECK(now != (void *)-1 && (uintptr_t)now >= LIBOSTEST_HEAP_VADDR);
    CHECK(sbrk(1 << 30) == (void *)-1 && errno == ENOMEM);
}

/* --- time ------------------------------------------------------------------- */

static void clocks(void)
{
    struct timespec a, b;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    CHECK(a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
    CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0);
    /* The fake pm: 1700000000 when the counter read 0, i.e. at power-on. */
    CHECK(a.tv_sec >= 1700000000 && a.tv_sec < 1700000000 + 3600);
    time_t t = time(NULL);
    CHECK(t >= 1700000000 && t < 1700000000 + 3600);
    CHECK(clock_gettime(99, &a) == -1 && errno == EINVAL);
}

static void nanosleep_asks_pm(void)
{
    struct timespec ts = { .tv_sec = 1, .tv_nsec = 5 }, rem = { 9, 9 };
    CHECK(nanosleep(&ts, &rem) == 0 && rem.tv_sec == 0 && rem.tv_nsec == 0);
    CHECK(fake_pm_seen.scalar[0] == 1000000005);
    unsigned before = fake_pm_seen.calls;
    ts.tv_nsec = 1000000000;
    CHECK(nanosleep(&ts, NULL) == -1 && errno == EINVAL);
    CHECK(fake_pm_seen.calls == before);
}

/* --- signals ----------------------------------------------------------------- */

static volatile int handled;
static void on_signal(int sig)
{
    handled = sig;
}

static void signals(void)
{
    CHECK(signal(SIGINT, SIG_IGN) == SIG_DFL);
    CHECK(fake_pm_seen.scalar[0] == SIGINT && fake_pm_seen.scalar[1] == PM_SIG_IGNORE);
    CHECK(raise(SIGINT) == 0);
    CHECK(signal(SIGINT, SIG_DFL) == SIG_IGN);
    CHECK(signal(SIGTERM, on_signal) == SIG_DFL);
    CHECK(fake_pm_seen.scalar[1] == PM_SIG_DEFAULT); /* pm cannot run handlers */
    CHECK(raise(SIGTERM) == 0 && handled == SIGTERM);
    CHECK(signal(SIGKILL, SIG_IGN) == SIG_ERR && errno == EINVAL);
    CHECK(signal(0, SIG_IGN) == SIG_ERR);
}

/* --- requests the stubs would never send ----------------------------------- */

static long raw_call(seL4_CPtr ep, seL4_Word label, seL4_Word length, const seL4_Word *mrs)
{
    for (seL4_Word i = 0; i < length && i < 8; i++) {
        seL4_SetMR((int)i, mrs[i]);
    }
    seL4_MessageInfo_t reply = seL4_Call(ep, seL4_MessageInfo_new(label, 0, 0, length));
    return seL4_MessageInfo_get_length(reply) >= 1 ? (long)seL4_GetMR(0) : 0;
}

static void malformed_requests_get_errors(void)
{
    const libos_env_t *env = libos();
    unsigned pm_before = fake_pm_seen.calls, vfs_before = fake_vfs_seen.calls;
    static const seL4_Word zero[8] = { 0 };
    CHECK(raw_call(env->pm, 999, 0, zero) == -ENOSYS);
    CHECK(raw_call(env->pm, PM_GETPID, 3, zero) == -EINVAL);
    const seL4_Word past[3] = { 1, 16384, 1 }; /* write fd 1: offset at the end, 1 byte */
    CHECK(raw_call(env->vfs, VFS_WRITE, 3, past) == -EINVAL);
    const seL4_Word wrap[3] = { 1, ~0ul, 2 };
    CHECK(raw_call(env->vfs, VFS_WRITE, 3, wrap) == -EINVAL);
    const seL4_Word pid[1] = { 5 };
    CHECK(raw_call(env->vfs, VFS_PROC_EXIT, 1, pid) == -EPERM);
    CHECK(fake_pm_seen.calls == pm_before && fake_vfs_seen.calls == vfs_before);
}

/* --- the early console ----------------------------------------------------------- */

static void early_console_without_vfs(void)
{
    seL4_CPtr vfs = libos_env.vfs;
    fflush(stdout);
    libos_env.vfs = 0;
    unsigned before = fake_vfs_seen.calls;
    CHECK(write(1, "libostest: early console\n", 25) == 25);
    CHECK(isatty(2) == 1);
    CHECK(open("/x", O_RDONLY) == -1 && errno == ENOSYS);
    CHECK(read(0, &before, 1) == -1 && errno == EBADF);
    CHECK(fake_vfs_seen.calls == before);
    libos_env.vfs = vfs;
}

/* --- exit ------------------------------------------------------------------------ */

#define EXIT_STATUS 3

static void at_exit(void)
{
    printf("atexit ran"); /* no newline: the flush at exit sends it */
}

void fake_pm_exit_seen(int status)
{
    /* The fake pm's thread: the program is blocked in its exit call. */
    bool flushed = fake_vfs_seen.length == 10 && memcmp(fake_vfs_seen.bytes, "atexit ran", 10) == 0;
    const char *line = status == EXIT_STATUS && flushed
                           ? "\nTEST PASS exit_runs_atexit_flushes_and_tells_pm\n"
                           : "\nTEST FAIL exit_runs_atexit_flushes_and_tells_pm: wrong status or "
                             "nothing flushed\n";
    for (const char *c = line; *c != '\0'; c++) {
        seL4_DebugPutChar(*c);
    }
    for (const char *c = "TEST DONE\n"; *c != '\0'; c++) {
        seL4_DebugPutChar(*c);
    }
    seL4_DebugHalt();
}

int libostest_main(int argc, char **argv, char **envp)
{
    (void)envp;
    main_argc = argc;
    main_argv = argv;
    run("startup_runs_constructors_and_sets_environ", startup_runs_constructors_and_sets_environ);
    run("stdio_formats_through_picolibc", stdio_formats_through_picolibc);
    run("printf_wrapper_conversions", printf_wrapper_conversions);
    run("write_moves_everything_through_the_window", write_moves_everything_through_the_window);
    run("read_copies_from_the_window", read_copies_from_the_window);
    run("pread_pwrite_at_an_offset", pread_pwrite_at_an_offset);
    run("open_close_lseek", open_close_lseek);
    run("stat_fstat_isatty", stat_fstat_isatty);
    run("pipe_dup_dup2", pipe_dup_dup2);
    run("directories_and_names", directories_and_names);
    run("disk_calls", disk_calls);
    run("readdir_decodes_records", readdir_decodes_records);
    run("fopen_fprintf_fclose", fopen_fprintf_fclose);
    run("setvbuf_after_output", setvbuf_after_output);
    run("fread_through_stdio", fread_through_stdio);
    run("process_identity_and_kill", process_identity_and_kill);
    run("waitpid_gets_a_deferred_reply", waitpid_gets_a_deferred_reply);
    run("posix_spawn_packs_the_request", posix_spawn_packs_the_request);
    run("posix_spawnp_searches_path", posix_spawnp_searches_path);
    run("spawn_opens_for_the_child_and_closes_after", spawn_opens_for_the_child_and_closes_after);
    run("malloc_grows_through_pm", malloc_grows_through_pm);
    run("clocks", clocks);
    run("nanosleep_asks_pm", nanosleep_asks_pm);
    run("signals", signals);
    run("malformed_requests_get_errors", malformed_requests_get_errors);
    run("early_console_without_vfs", early_console_without_vfs);
    atexit(at_exit);
    return EXIT_STATUS;
}
