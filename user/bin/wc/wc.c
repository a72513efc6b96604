/* wc [-l] [-w] [-c] [FILE...]: lines, words and bytes of each file (stdin
 * without files), then a total for several files. Without options all
 * three. Exit 1 if a file could not be read, 2 on a usage error.
 * Calls: open read close, write (stdio), _exit. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    unsigned long lines, words, bytes;
} counts_t;

static bool show_lines, show_words, show_bytes;

static int count(int fd, counts_t *c)
{
    char buf[4096];
    ssize_t n;
    bool in_word = false;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        c->bytes += (unsigned long)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)buf[i];
            c->lines += ch == '\n';
            if (isspace(ch)) {
                in_word = false;
            } else if (!in_word) {
                in_word = true;
                c->words++;
            }
        }
    }
    return n < 0 ? -1 : 0;
}

static void print(const counts_t *c, const char *name)
{
    const char *sep = "";
    if (show_lines) {
        printf("%7lu", c->lines);
        sep = " ";
    }
    if (show_words) {
        printf("%s%7lu", sep, c->words);
        sep = " ";
    }
    if (show_bytes) {
        printf("%s%7lu", sep, c->bytes);
    }
    printf(name != NULL ? " %s\n" : "\n", name);
}

static int options(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return i + 1;
        }
        for (const char *o = argv[i] + 1; *o != '\0'; o++) {
            if (*o == 'l') {
                show_lines = true;
            } else if (*o == 'w') {
                show_words = true;
            } else if (*o == 'c') {
                show_bytes = true;
            } else {
                fprintf(stderr, "wc: unknown option -%c\nusage: wc [-l] [-w] [-c] [FILE...]\n", *o);
                return -1;
            }
        }
    }
    if (!show_lines && !show_words && !show_bytes) {
        show_lines = show_words = show_bytes = true;
    }
    return i;
}

int main(int argc, char **argv)
{
    int first = options(argc, argv);
    if (first < 0) {
        return 2;
    }
    counts_t total = { 0, 0, 0 };
    int status = 0;
    if (first >= argc) {
        if (count(0, &total) != 0) {
            fprintf(stderr, "wc: stdin: %s\n", strerror(errno));
            return 1;
        }
        print(&total, NULL);
        return 0;
    }
    for (int i = first; i < argc; i++) {
        counts_t c = { 0, 0, 0 };
        int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
        if (fd < 0 || count(fd, &c) != 0) {
            fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        } else {
            print(&c, argv[i]);
            total.lines += c.lines;
            total.words += c.words;
            total.bytes += c.bytes;
        }
        if (fd > 0) {
            close(fd);
        }
    }
    if (argc - first > 1) {
        print(&total, "total");
    }
    return status;
}
