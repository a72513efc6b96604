/* date [+FORMAT]: the time now, in UTC, formatted by strftime (default
 * "%a %b %e %H:%M:%S UTC %Y"). Exit 1 if the clock cannot be read, 2 on a
 * usage error. Calls: time, gmtime strftime, write (stdio). */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    const char *format = "%a %b %e %H:%M:%S UTC %Y";
    if (argc > 2 || (argc == 2 && argv[1][0] != '+')) {
        fprintf(stderr, "usage: date [+FORMAT]\n");
        return 2;
    }
    if (argc == 2) {
        format = argv[1] + 1;
    }
    time_t now = time(NULL);
    struct tm *tm = now == (time_t)-1 ? NULL : gmtime(&now);
    char text[256] = "";
    if (tm == NULL) {
        fprintf(stderr, "date: cannot read the clock\n");
        return 1;
    }
    size_t n = strftime(text, sizeof(text), format, tm);
    if (n == 0 && format[0] != '\0') {
        fprintf(stderr, "date: format too long\n");
        return 1;
    }
    printf("%s\n", text);
    return 0;
}
