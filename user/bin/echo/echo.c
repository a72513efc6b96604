/* echo [-n] [ARG...]: the arguments separated by spaces, then a newline
 * unless -n. No escapes (\n, \c) are interpreted.
 * Calls: write (stdio), _exit. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int first = 1;
    int newline = 1;
    if (argc > 1 && strcmp(argv[1], "-n") == 0) {
        newline = 0;
        first = 2;
    }
    for (int i = first; i < argc; i++) {
        fputs(argv[i], stdout);
        if (i + 1 < argc) {
            putchar(' ');
        }
    }
    if (newline) {
        putchar('\n');
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
