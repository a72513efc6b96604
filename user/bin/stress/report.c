/* The campaign's lines and its clocks (stress.h).
 *
 * tools/stress.py must tell the campaign's lines from everything else on
 * the serial line: rs's reports and the drivers' banners go out through the
 * kernel's debug console, straight to the UART, and can land in the middle
 * of what the uart driver is sending -- in the middle of one of these lines
 * too, and one inside another. They are ASCII; so every character of a
 * campaign line goes out in its fullwidth form (U+FF01..U+FF5E for '!' to
 * '~', U+3000 for a space) and the line ends with a pilcrow (U+00B6) before
 * its newline. Every byte of it but the newline is then >= 0x80: the
 * runner keeps those bytes, drops every other, and has the campaign's lines
 * whole, whatever came in between. A terminal shows them as wide text. */
#include "stress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_CHARS 160
#define WIDE_BYTES 3 /* UTF-8 of U+3000 and U+FF01..U+FF5E */

static size_t put_wide(unsigned char *out, unsigned char c)
{
    unsigned code = c == ' ' ? 0x3000u : 0xff01u + (unsigned)(c - '!');
    out[0] = (unsigned char)(0xe0 | (code >> 12));
    out[1] = (unsigned char)(0x80 | ((code >> 6) & 0x3f));
    out[2] = (unsigned char)(0x80 | (code & 0x3f));
    return WIDE_BYTES;
}

void stress_line(const char *format, ...)
{
    char text[LINE_MAX_CHARS];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    size_t length = n < 0 ? 0 : (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;
    unsigned char out[LINE_MAX_CHARS * WIDE_BYTES + 3];
    size_t at = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= ' ' && c <= '~') { /* nothing else is printed */
            at += put_wide(out + at, c);
        }
    }
    out[at++] = 0xc2; /* U+00B6 */
    out[at++] = 0xb6;
    out[at++] = '\n';
    /* One write: vfs sends it to the uart's ring in one piece, never mixed
     * with the other process's lines. */
    (void)write(1, out, at);
}

uint64_t stress_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool stress_sleep_ns(uint64_t ns)
{
    struct timespec t = { .tv_sec = (time_t)(ns / 1000000000u),
                          .tv_nsec = (long)(ns % 1000000000u) };
    return nanosleep(&t, NULL) == 0;
}

uint64_t stress_slot_get(int fd, enum stress_slot slot)
{
    uint64_t value = 0;
    off_t at = (off_t)slot * (off_t)sizeof(value);
    return pread(fd, &value, sizeof(value), at) == sizeof(value) ? value : 0;
}

bool stress_slot_set(int fd, enum stress_slot slot, uint64_t value)
{
    off_t at = (off_t)slot * (off_t)sizeof(value);
    return pwrite(fd, &value, sizeof(value), at) == sizeof(value);
}
