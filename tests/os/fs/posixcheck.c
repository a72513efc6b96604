/* posixcheck DIR: the calls libos gained for Lua and SQLite (issue 17;
 * docs/posix.md "Users", "Not there", open, getrusage), each against
 * what the page says it does; tests/tests.list os.fs.cache. pread and
 * pwrite on a file of the disk and one of vfs's tree (/run). Prints a
 * line for each failed check and `posixcheck: N checks, F failed`. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int checks, failed;

static void check(int ok, const char *what)
{
    checks++;
    if (!ok) {
        failed++;
        printf("posixcheck: FAILED: %s (errno %d)\n", what, errno);
    }
}

static void users(const char *file)
{
    check(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0, "every id is 0");
    struct passwd *root = getpwuid(0);
    check(root != NULL && strcmp(root->pw_name, "root") == 0 &&
              strcmp(root->pw_shell, "/bin/sh") == 0,
          "getpwuid(0) is root");
    check(getpwuid(5) == NULL && getpwnam("nobody") == NULL, "no other user");
    check(getpwnam("root") != NULL, "getpwnam(root)");
    check(chown(file, 0, 0) == 0 && chown(file, (uid_t)-1, (gid_t)-1) == 0, "chown to 0 and -1");
    errno = 0;
    check(chown(file, 5, 0) == -1 && errno == EPERM, "chown to another owner is EPERM");
    errno = 0;
    check(chown("/home/posixcheck.none", 0, 0) == -1 && errno == ENOENT,
          "chown of a missing file is ENOENT");
    int fd = open(file, O_RDONLY);
    check(fchown(fd, 0, 0) == 0, "fchown to 0");
    errno = 0;
    check(fchown(fd, 0, 7) == -1 && errno == EPERM, "fchown to another group is EPERM");
    close(fd);
}

static void modes(const char *file)
{
    struct stat st;
    check(stat(file, &st) == 0, "stat");
    check(chmod(file, st.st_mode & 07777) == 0, "chmod to the mode the file has");
    errno = 0;
    check(chmod(file, (st.st_mode & 07777) ^ 0100) == -1 && errno == ENOSYS,
          "chmod to another mode is ENOSYS");
    errno = 0;
    check(chmod(file, 010000) == -1 && errno == EINVAL, "chmod with a bit above 07777");
}

static void system_calls(void)
{
    check(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_OPEN_MAX) == 64, "sysconf");
    errno = 0;
    check(sysconf(9999) == -1 && errno == EINVAL, "sysconf of an unknown name is EINVAL");
    struct rusage usage;
    check(getrusage(RUSAGE_SELF, &usage) == 0 &&
              (usage.ru_utime.tv_sec > 0 || usage.ru_utime.tv_usec > 0),
          "getrusage(RUSAGE_SELF): time since boot");
    check(getrusage(RUSAGE_CHILDREN, &usage) == 0 && usage.ru_utime.tv_sec == 0, "children: 0");
    errno = 0;
    check(getrusage(7, &usage) == -1 && errno == EINVAL, "getrusage of 7 is EINVAL");
    errno = 0;
    check(ioctl(1, 0x5401) == -1 && errno == ENOTTY, "ioctl is ENOTTY");
    errno = 0;
    check(ioctl(40, 0x5401) == -1 && errno == EBADF, "ioctl of a closed descriptor is EBADF");
    errno = 0;
    check(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
              errno == ENODEV,
          "mmap is ENODEV");
    errno = 0;
    check(munmap((void *)0x400000, 4096) == -1 && errno == EINVAL, "munmap is EINVAL");
    check(FILENAME_MAX >= 256, "FILENAME_MAX");
}

static void open_flags(const char *file, const char *link_path)
{
    int fd = open(file, O_RDWR | O_NOFOLLOW | O_SYNC);
    check(fd >= 0 && write(fd, "x", 1) == 1, "O_NOFOLLOW and O_SYNC on a file");
    close(fd);
    unlink(link_path);
    check(symlink(file, link_path) == 0, "symlink");
    errno = 0;
    check(open(link_path, O_RDONLY | O_NOFOLLOW) == -1 && errno == ELOOP,
          "O_NOFOLLOW on a symbolic link is ELOOP");
    fd = open(link_path, O_RDONLY);
    check(fd >= 0, "the link is followed without O_NOFOLLOW");
    close(fd);
    unlink(link_path);
}

/* A check about the file `file` (its name in the report). */
static void check_at(int ok, const char *file, const char *what)
{
    char line[320];
    snprintf(line, sizeof(line), "%s: %s", file, what);
    check(ok, line);
}

/* pread until `length` bytes or a failure or the end: a pread may be
 * short (a window's worth at a time). */
static long pread_all(int fd, unsigned char *buf, size_t length, off_t at)
{
    size_t done = 0;
    while (done < length) {
        ssize_t r = pread(fd, buf + done, length - done, at + (off_t)done);
        if (r <= 0) {
            return r < 0 ? -1 : (long)done;
        }
        done += (size_t)r;
    }
    return (long)done;
}

static off_t position(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

static unsigned char big[40000],
    back[40000]; /* more than a window (32 KiB), less than a file of vfs's tree (64 KiB) */

/* pread and pwrite (docs/posix.md "pread and pwrite") on `file`. */
static void positional(const char *file)
{
    char buf[32];
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0640);
    check_at(fd >= 0 && write(fd, "0123456789", 10) == 10 && lseek(fd, 3, SEEK_SET) == 3, file,
             "a file of 10 bytes, at 3");
    check_at(pread(fd, buf, 4, 5) == 4 && memcmp(buf, "5678", 4) == 0 && position(fd) == 3, file,
             "pread at 5, the offset stays at 3");
    check_at(pwrite(fd, "ab", 2, 1) == 2 && position(fd) == 3, file,
             "pwrite at 1, the offset stays at 3");
    check_at(read(fd, buf, 3) == 3 && memcmp(buf, "345", 3) == 0 && position(fd) == 6, file,
             "read goes on from the offset");
    check_at(pread(fd, buf, sizeof(buf), 0) == 10 && memcmp(buf, "0ab3456789", 10) == 0, file,
             "pread sees pwrite's bytes");
    check_at(pread(fd, buf, 4, 8) == 2 && memcmp(buf, "89", 2) == 0, file,
             "pread across the end is short");
    check_at(pread(fd, buf, 4, 10) == 0 && pread(fd, buf, 4, 1000000) == 0, file,
             "pread at or past the end reads 0");
    struct stat st;
    check_at(pwrite(fd, "Z", 1, 20) == 1 && fstat(fd, &st) == 0 && st.st_size == 21, file,
             "pwrite past the end extends the file");
    memset(buf, 'x', sizeof(buf));
    static const char zeros[10];
    check_at(pread(fd, buf, 11, 10) == 11 && memcmp(buf, zeros, 10) == 0 && buf[10] == 'Z' &&
                 position(fd) == 6,
             file, "the hole before it reads as zeros, the offset stays");
    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = (unsigned char)(i * 7 + i / 251);
    }
    check_at(pwrite(fd, big, sizeof(big), 5000) == (ssize_t)sizeof(big) && position(fd) == 6, file,
             "a pwrite of more than a window");
    check_at(pread_all(fd, back, sizeof(back), 5000) == (long)sizeof(back) &&
                 memcmp(big, back, sizeof(big)) == 0,
             file, "read back with pread");
    errno = 0;
    check_at(pread(fd, buf, 1, -1) == -1 && errno == EINVAL, file, "pread at -1 is EINVAL");
    errno = 0;
    check_at(pwrite(fd, "x", 1, -1) == -1 && errno == EINVAL, file, "pwrite at -1 is EINVAL");
    /* O_APPEND: pwrite writes at its offset all the same (as POSIX; Linux
     * appends) */
    int append = open(file, O_WRONLY | O_APPEND);
    check_at(append >= 0 && pwrite(append, "Q", 1, 0) == 1 && position(append) == 0 &&
                 pread(fd, buf, 1, 0) == 1 && buf[0] == 'Q' && fstat(fd, &st) == 0 &&
                 st.st_size == 5000 + (off_t)sizeof(big),
             file, "pwrite on O_APPEND writes at its offset");
    errno = 0;
    check_at(pread(append, buf, 1, 0) == -1 && errno == EBADF, file,
             "pread of a write-only descriptor is EBADF");
    close(append);
    int ro = open(file, O_RDONLY);
    errno = 0;
    check_at(ro >= 0 && pwrite(ro, "x", 1, 0) == -1 && errno == EBADF, file,
             "pwrite of a read-only descriptor is EBADF");
    close(ro);
    close(fd);
    unlink(file);
}

/* pread and pwrite on what has no offset, or is no file. */
static void positional_refused(const char *dir)
{
    char buf[4];
    int p[2];
    check(pipe(p) == 0 && write(p[1], "ab", 2) == 2, "a pipe");
    errno = 0;
    check(pread(p[0], buf, 1, 0) == -1 && errno == ESPIPE, "pread of a pipe is ESPIPE");
    errno = 0;
    check(pwrite(p[1], "x", 1, 0) == -1 && errno == ESPIPE, "pwrite of a pipe is ESPIPE");
    check(read(p[0], buf, 2) == 2 && memcmp(buf, "ab", 2) == 0, "the pipe's bytes are all there");
    close(p[0]);
    close(p[1]);
    errno = 0;
    check(pwrite(1, "x", 1, 0) == -1 && errno == ESPIPE, "pwrite of the console is ESPIPE");
    errno = 0;
    check(pread(40, buf, 1, 0) == -1 && errno == EBADF, "pread of a closed descriptor is EBADF");
    errno = 0;
    check(pwrite(-1, "x", 1, 0) == -1 && errno == EBADF, "pwrite of descriptor -1 is EBADF");
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    errno = 0;
    check(d >= 0 && pread(d, buf, 1, 0) == -1 && errno == EISDIR, "pread of a directory is EISDIR");
    close(d);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: posixcheck DIR\n");
        return 2;
    }
    char file[256], link_path[256];
    snprintf(file, sizeof(file), "%s/posixcheck.dat", argv[1]);
    snprintf(link_path, sizeof(link_path), "%s/posixcheck.lnk", argv[1]);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    check(fd >= 0 && close(fd) == 0, "the file is made");
    users(file);
    modes(file);
    system_calls();
    open_flags(file, link_path);
    unlink(file);
    positional(file);
    positional("/run/posixcheck.dat");
    positional_refused(argv[1]);
    printf("posixcheck: %d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
