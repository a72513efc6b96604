/* rmdir DIR...: remove each directory, which must be empty.
 * Exit 1 if a directory could not be removed, 2 on a usage error.
 * Calls: rmdir. */
#include "../common/fileutil.h"

#include <unistd.h>

#define USAGE "rmdir DIR..."

static int remove_directory(const char *path)
{
    return rmdir(path) == 0 ? 0 : fileutil_fail("rmdir", path);
}

int main(int argc, char **argv)
{
    unsigned opts;
    return fileutil_each("rmdir", USAGE, "", &opts, argc, argv, remove_directory);
}
