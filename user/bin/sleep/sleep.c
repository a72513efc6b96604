/* sleep SECONDS: wait that long (a decimal number, fractions allowed).
 * Exit 2 on a usage error. Calls: nanosleep. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    char *end = NULL;
    double seconds = argc == 2 ? strtod(argv[1], &end) : -1.0;
    if (argc != 2 || end == argv[1] || *end != '\0' || !(seconds >= 0.0) || seconds > 1e9) {
        fprintf(stderr, "usage: sleep SECONDS\n");
        return 2;
    }
    struct timespec t;
    t.tv_sec = (time_t)seconds;
    t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) != 0) {
        if (errno != EINTR) {
            perror("sleep");
            return 1;
        }
    }
    return 0;
}
