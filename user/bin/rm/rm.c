/* rm [-f] [-r] PATH...: remove each file; -r (or -R) removes a directory
 * and everything in it, -f says nothing of a file that does not exist
 * (and rm -f without operands is no error). ".", ".." and "/" are never
 * removed. Exit 1 if something could not be removed, 2 on a usage error.
 * Calls: stat unlink rmdir opendir readdir closedir. */
#include "../common/fileutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "rm [-f] [-r] PATH..."
#define OPT_FORCE 1u
#define OPT_RECURSIVE (2u | 4u) /* -r or -R */

static unsigned opts;

static int remove_path(const char *path);

/* Everything in directory path, then path itself. */
static int remove_tree(const char *path)
{
    size_t count;
    char **names = fileutil_dir_names(path, true, &count);
    if (names == NULL) {
        return fileutil_fail("rm", path);
    }
    int status = 0;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0) {
            continue;
        }
        char *child = fileutil_join(path, names[i]);
        status |= child != NULL ? remove_path(child) : fileutil_fail("rm", path);
        free(child);
    }
    fileutil_free_names(names, count);
    if (rmdir(path) != 0) {
        status |= fileutil_fail("rm", path);
    }
    return status;
}

static int remove_path(const char *path)
{
    struct stat st;
    if (fileutil_lstat(path, &st) != 0) {
        return errno == ENOENT && (opts & OPT_FORCE) ? 0 : fileutil_fail("rm", path);
    }
    if (S_ISDIR(st.st_mode)) {
        if ((opts & OPT_RECURSIVE) == 0) {
            errno = EISDIR;
            return fileutil_fail("rm", path);
        }
        return remove_tree(path);
    }
    if (unlink(path) != 0) {
        return errno == ENOENT && (opts & OPT_FORCE) ? 0 : fileutil_fail("rm", path);
    }
    return 0;
}

/* ".", "..", or a path ending in one of them, or only slashes. */
static bool forbidden(const char *path)
{
    char *name = fileutil_basename(path);
    bool no =
        name == NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "/") == 0;
    free(name);
    return no;
}

int main(int argc, char **argv)
{
    int i = fileutil_options("rm", argc, argv, "frR", &opts, USAGE);
    if (i < 0) {
        return FILEUTIL_USAGE;
    }
    if (i >= argc && (opts & OPT_FORCE) == 0) {
        return fileutil_usage("rm", "missing operand", USAGE);
    }
    int status = 0;
    for (; i < argc; i++) {
        if (forbidden(argv[i])) {
            fprintf(stderr, "rm: %s: refusing to remove \".\", \"..\" or \"/\"\n", argv[i]);
            status = FILEUTIL_FAILED;
            continue;
        }
        status |= remove_path(argv[i]);
    }
    return status;
}
