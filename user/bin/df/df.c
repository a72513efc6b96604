/* df [PATH...]: the size and use of the file system holding each PATH
 * (default /), in KiB, as `df -k` prints them. On Keel "/" is the disk and
 * /dev and /bin are vfs's own tree (docs/storage.md).
 * Exit 1 if a PATH cannot be looked up, 2 on a usage error.
 * Calls: statvfs. */
#include "../common/fileutil.h"

#include <stdio.h>
#include <sys/statvfs.h>

static unsigned long long kib(unsigned long long blocks, unsigned long size)
{
    return blocks * size / 1024;
}

static int show(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) != 0) {
        return fileutil_fail("df", path);
    }
    unsigned long long total = kib(st.f_blocks, st.f_frsize);
    unsigned long long used = kib(st.f_blocks - st.f_bfree, st.f_frsize);
    unsigned long long avail = kib(st.f_bavail, st.f_frsize);
    unsigned percent =
        used + avail == 0 ? 0 : (unsigned)((used * 100 + used + avail - 1) / (used + avail));
    printf("%-12s %10llu %10llu %10llu %3u%%\n", path, total, used, avail, percent);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned opts;
    int first = fileutil_options("df", argc, argv, "", &opts, "df [PATH...]");
    if (first < 0) {
        return FILEUTIL_USAGE;
    }
    printf("%-12s %10s %10s %10s %4s\n", "Path", "1K-blocks", "Used", "Available", "Use%");
    if (first == argc) {
        return show("/");
    }
    int status = 0;
    for (int i = first; i < argc; i++) {
        int one = show(argv[i]);
        status = one > status ? one : status;
    }
    return status;
}
