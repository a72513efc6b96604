/* mkdir [-p] DIR...: make each directory; -p makes the missing directories
 * on the way too and is content with a directory that exists.
 * Exit 1 if a directory could not be made, 2 on a usage error.
 * Calls: mkdir stat. */
#include "../common/fileutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE "mkdir [-p] DIR..."
#define OPT_PARENTS 1u

/* mkdir that accepts a directory already there (for -p). */
static int make_or_find(const char *path)
{
    if (mkdir(path, 0777) == 0) {
        return 0;
    }
    int error = errno;
    struct stat st;
    if (error == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return 0;
    }
    errno = error;
    return -1;
}

/* Make every directory of path from the top: "a", "a/b", "a/b/c". */
static int make_parents(const char *path)
{
    if (path[0] == '\0') {
        errno = ENOENT;
        return fileutil_fail("mkdir", path);
    }
    char *prefix = strdup(path);
    if (prefix == NULL) {
        return fileutil_fail("mkdir", path);
    }
    int status = 0;
    for (char *at = prefix; status == 0 && *at != '\0';) {
        at += strspn(at, "/");
        at += strcspn(at, "/");
        bool last = at[strspn(at, "/")] == '\0';
        char saved = *at;
        *at = '\0';
        if (make_or_find(prefix) != 0) {
            if (errno == EEXIST && !last) {
                errno = ENOTDIR; /* a file where a directory on the way should be */
            }
            status = fileutil_fail("mkdir", prefix);
        }
        *at = saved;
    }
    free(prefix);
    return status;
}

static unsigned opts;

static int make(const char *path)
{
    if (opts & OPT_PARENTS) {
        return make_parents(path);
    }
    return mkdir(path, 0777) == 0 ? 0 : fileutil_fail("mkdir", path);
}

int main(int argc, char **argv)
{
    return fileutil_each("mkdir", USAGE, "p", &opts, argc, argv, make);
}
