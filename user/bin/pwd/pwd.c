/* pwd: print the working directory (the one vfs keeps for this process,
 * not $PWD). Exit 1 if it cannot be found (it was removed), 2 on a usage
 * error. Calls: getcwd. */
#include "../common/fileutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE "pwd"

/* getcwd into a buffer that grows until the path fits. */
static char *working_directory(void)
{
    for (size_t size = 128;; size *= 2) {
        char *buf = malloc(size);
        if (buf == NULL) {
            return NULL;
        }
        if (getcwd(buf, size) != NULL) {
            return buf;
        }
        free(buf);
        if (errno != ERANGE || size > (1u << 20)) {
            return NULL;
        }
    }
}

int main(int argc, char **argv)
{
    unsigned opts;
    int i = fileutil_options("pwd", argc, argv, "", &opts, USAGE);
    if (i < 0) {
        return FILEUTIL_USAGE;
    }
    if (i < argc) {
        return fileutil_usage("pwd", "too many arguments", USAGE);
    }
    char *cwd = working_directory();
    if (cwd == NULL) {
        fprintf(stderr, "pwd: %s\n", strerror(errno));
        return FILEUTIL_FAILED;
    }
    printf("%s\n", cwd);
    free(cwd);
    return 0;
}
