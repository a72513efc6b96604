/* head [-n N] [-N] [FILE...]: the first N lines (10) of each file (stdin
 * without files), with a "==> name <==" header for several files.
 * Exit 1 if a file could not be read, 2 on a usage error.
 * Calls: open read close, write (stdio), _exit. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(const char *why)
{
    fprintf(stderr, "head: %s\nusage: head [-n N] [FILE...]\n", why);
    return 2;
}

static bool parse_count(const char *s, long *n)
{
    char *end;
    *n = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && *n >= 0;
}

/* Copy lines until `lines` newlines have gone by; read a byte at a time
 * from a shared stdin so that what follows stays for the next reader. */
static int head(int fd, long lines)
{
    char buf[512];
    size_t want = fd == 0 ? 1 : sizeof(buf);
    ssize_t n = 0;
    while (lines > 0 && (n = read(fd, buf, want)) > 0) {
        ssize_t i = 0;
        while (i < n && lines > 0) {
            lines -= buf[i++] == '\n';
        }
        fwrite(buf, 1, (size_t)i, stdout);
    }
    return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    long lines = 10;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        const char *value = NULL;
        if (strcmp(argv[i], "-n") == 0) {
            if (++i >= argc) {
                return usage("-n needs a number");
            }
            value = argv[i];
        } else if (strncmp(argv[i], "-n", 2) == 0) {
            value = argv[i] + 2;
        } else {
            value = argv[i] + 1;
        }
        if (!parse_count(value, &lines)) {
            return usage("bad line count");
        }
    }
    if (i >= argc) {
        return head(0, lines) == 0 ? 0 : 1;
    }
    int status = 0;
    for (int first = i; i < argc; i++) {
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (argc - first > 1) {
            printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
        }
        if (fd < 0 || head(fd, lines) != 0) {
            fflush(stdout);
            fprintf(stderr, "head: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
        if (fd > 0) {
            close(fd);
        }
    }
    return status;
}
