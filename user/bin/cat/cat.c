/* cat [FILE...]: copy each file ("-" or none: stdin) to stdout.
 * Exit 1 if a file could not be read, 2 on an unknown option.
 * Calls: open read write close, _exit. */
#include "../common/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int copy(const char *name)
{
    int fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
        return 1;
    }
    char buf[4096];
    ssize_t n;
    int status = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (fileutil_write_all(1, buf, (size_t)n) != 0) {
            fprintf(stderr, "cat: write error: %s\n", strerror(errno));
            status = 1;
            break;
        }
    }
    if (n < 0) {
        fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
        status = 1;
    }
    if (fd != 0) {
        close(fd);
    }
    return status;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && strcmp(argv[1], "--") == 0) {
        first = 2;
    } else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
        fprintf(stderr, "cat: unknown option %s\nusage: cat [FILE...]\n", argv[1]);
        return 2;
    }
    if (first >= argc) {
        return copy("-");
    }
    int status = 0;
    for (int i = first; i < argc; i++) {
        status |= copy(argv[i]);
    }
    return status;
}
