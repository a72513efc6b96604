/* mv SRC DST, mv SRC... DIR: rename SRC to DST, or move each SRC into the
 * directory DIR under its own name. A file replaces a file, a directory an
 * empty directory. Within one file system only (no copying).
 * Exit 1 if something could not be moved, 2 on a usage error.
 * Calls: stat rename. */
#include "../common/fileutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE "mv SRC DST | mv SRC... DIR"

static int move(const char *src, const char *dst)
{
    struct stat st;
    if (fileutil_lstat(src, &st) != 0) {
        return fileutil_fail("mv", src);
    }
    if (rename(src, dst) != 0) {
        fprintf(stderr, "mv: %s -> %s: %s\n", src, dst, strerror(errno));
        return FILEUTIL_FAILED;
    }
    return 0;
}

int main(int argc, char **argv)
{
    return fileutil_each_into("mv", USAGE, argc, argv, move);
}
