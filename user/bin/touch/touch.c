/* touch FILE...: make each file that does not exist, empty. A file that
 * exists is left as it is: vfs keeps no times to update.
 * Exit 1 if a file could not be made, 2 on a usage error.
 * Calls: stat open close. */
#include "../common/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define USAGE "touch FILE..."

static int touch(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        return 0;
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
