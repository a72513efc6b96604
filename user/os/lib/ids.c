/* Users and owners (docs/posix.md "Users"): Keel has one user. Every
 * process is uid and gid 0 and owns every file; nothing is enforced by
 * owner. The password database is that one entry. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uid_t getuid(void)
{
    return 0;
}

uid_t geteuid(void)
{
    return 0;
}

gid_t getgid(void)
{
    return 0;
}

gid_t getegid(void)
{
    return 0;
}

/* The one entry: root, its home $HOME (or /), its shell /bin/sh. */
static struct passwd *root_entry(void)
{
    static struct passwd entry;
    const char *home = getenv("HOME");
    entry = (struct passwd){ .pw_name = "root",
                             .pw_passwd = "",
                             .pw_uid = 0,
                             .pw_gid = 0,
                             .pw_comment = "",
                             .pw_gecos = "root",
                             .pw_dir = (char *)(home != NULL && home[0] != '\0' ? home : "/"),
                             .pw_shell = "/bin/sh" };
    return &entry;
}

struct passwd *getpwuid(uid_t uid)
{
    return uid == 0 ? root_entry() : NULL;
}

struct passwd *getpwnam(const char *name)
{
    return name != NULL && strcmp(name, "root") == 0 ? root_entry() : NULL;
}

/* A change of owner to anyone but 0 is EPERM; to 0 (or -1, "unchanged")
 * it changes nothing, once the file is found. */
static int owner_check(int found, uid_t owner, gid_t group)
{
    if (found != 0) {
        return -1;
    }
    if ((owner != (uid_t)-1 && owner != 0) || (group != (gid_t)-1 && group != 0)) {
        errno = EPERM;
        return -1;
    }
    return 0;
}

int chown(const char *path, uid_t owner, gid_t group)
{
    struct stat st;
    return owner_check(stat(path, &st), owner, group);
}

int lchown(const char *path, uid_t owner, gid_t group)
{
    struct stat st;
    return owner_check(lstat(path, &st), owner, group);
}

int fchown(int fd, uid_t owner, gid_t group)
{
    struct stat st;
    return owner_check(fstat(fd, &st), owner, group);
}
