/* cp SRC DST, cp SRC... DIR: copy the bytes of file SRC to DST (made, or
 * emptied first), or of each SRC into the directory DIR under its own name.
 * A new file gets SRC's permission bits. Directories are not copied.
 * Exit 1 if something could not be copied, 2 on a usage error.
 * Calls: open read write close fstat stat. */
#include "../common/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "cp SRC DST | cp SRC... DIR"

/* Whether dst names the same file as src (whose status is st). */
static int same_file(const struct stat *st, const char *dst)
{
    struct stat dst_st;
    return stat(dst, &dst_st) == 0 && dst_st.st_dev == st->st_dev && dst_st.st_ino == st->st_ino;
}

/* Every byte of in to out. */
static int copy_bytes(int in, const char *src, int out, const char *dst)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (fileutil_write_all(out, buf, (size_t)n) != 0) {
            return fileutil_fail("cp", dst);
        }
    }
    return n < 0 ? fileutil_fail("cp", src) : 0;
}

/* Open dst for writing after the checks that src may be copied there. */
static int open_destination(int in, const char *src, const char *dst)
{
    struct stat st;
    if (fstat(in, &st) != 0) {
        fileutil_fail("cp", src);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        fileutil_fail("cp", src);
        return -1;
    }
    if (same_file(&st, dst)) {
        fprintf(stderr, "cp: %s and %s are the same file\n", src, dst);
        return -1;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st.st_mode & 0777);
    if (out < 0) {
        fileutil_fail("cp", dst);
    }
    return out;
}

static int copy(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY);
    if (in < 0) {
        return fileutil_fail("cp", src);
    }
    int status = FILEUTIL_FAILED;
    int out = open_destination(in, src, dst);
    if (out >= 0) {
        status = copy_bytes(in, src, out, dst);
        if (close(out) != 0 && status == 0) {
            status = fileutil_fail("cp", dst);
        }
    }
    close(in);
    return status;
}

int main(int argc, char **argv)
{
    return fileutil_each_into("cp", USAGE, argc, argv, copy);
}
