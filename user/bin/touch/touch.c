/* touch FILE...: make each file that does not exist, empty; set the
 * access and modification times of one that does to now.
 * Exit 1 if a file could not be made or touched, 2 on a usage error.
 * Calls: stat open close utime. */
#include "../common/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#define USAGE "touch FILE..."

static int touch(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        return utime(path, NULL) == 0 ? 0 : fileutil_fail("touch", path);
    }
    if (errno != ENOENT) {
        return fileutil_fail("touch", path);
    }
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd < 0) {
        return fileutil_fail("touch", path);
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned opts;
    return fileutil_each("touch", USAGE, "", &opts, argc, argv, touch);
}
