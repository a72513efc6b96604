/* posixcheck DIR: the calls libos gained for Lua and SQLite (issue 17;
 * docs/posix.md "Users", "Not there", open, getrusage), each against
 * what the page says it does; tests/tests.list os.fs.cache. Prints a
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
    printf("posixcheck: %d checks, %d failed\n", checks, failed);
    return failed == 0 ? 0 : 1;
}
