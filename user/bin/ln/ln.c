/* ln [-s] TARGET LINK, ln [-s] TARGET... DIR: make LINK (or DIR/basename
 * of each TARGET) another name for TARGET -- a hard link, or with -s a
 * symbolic link holding TARGET as written. An existing LINK is an error.
 * Exit 1 if a link could not be made, 2 on a usage error.
 * Calls: link symlink stat. */
#include "../common/fileutil.h"

#include <string.h>
#include <unistd.h>

#define USAGE "ln [-s] TARGET LINK | ln [-s] TARGET... DIR"

static int hard(const char *target, const char *name)
{
    return link(target, name) == 0 ? 0 : fileutil_fail("ln", name);
}

static int soft(const char *target, const char *name)
{
    return symlink(target, name) == 0 ? 0 : fileutil_fail("ln", name);
}

int main(int argc, char **argv)
{
    bool symbolic = argc > 1 && strcmp(argv[1], "-s") == 0;
    if (symbolic) {
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    return fileutil_each_into("ln", USAGE, argc, argv, symbolic ? soft : hard);
}
