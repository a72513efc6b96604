/* A libFuzzer target over libos's exact float conversions
 * (user/os/lib/fmtfloat.c), checked against glibc. The input's first byte
 * chooses: even, the rest is a string for the hexadecimal strtod (after a
 * "0x" put in front half the time), which must consume no more than the
 * string and, where glibc's result is normal or infinite (glibc 2.36
 * rounds some subnormal ones wrong: tests/host/test_fmtfloat.c), agree
 * with glibc bit for bit, in the bytes consumed and in ERANGE -- as a
 * double, a float and a binary128 (glibc's strtof128, on x86-64); odd, the
 * next 8 bytes are a double's bits and the 4 after them a conversion
 * (flags, width, precision, e/f/g/E/F/G), formatted as glibc does (but
 * %#g, where glibc 2.36 drops zeros after a carry into a new exponent). */
#include "../../user/os/lib/fmtfloat.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#if defined(__x86_64__)
__float128 strtof128(const char *restrict s, char **restrict end);
#endif

#define OUT_SIZE 4096

typedef struct sink {
    char buf[OUT_SIZE];
    size_t len;
} sink_t;

static int sink_put(void *ctx, const char *s, size_t n)
{
    sink_t *k = ctx;
    if (k->len + n >= sizeof(k->buf)) {
        abort(); /* more than the width and precision allow */
    }
    memcpy(k->buf + k->len, s, n);
    k->len += n;
    k->buf[k->len] = '\0';
    return 0;
}

static void fuzz_strtod(const uint8_t *data, size_t size)
{
    char s[256];
    size_t n = 0;
    if (size > 0 && (data[0] & 1)) {
        s[n++] = '0';
        s[n++] = 'x';
    }
    for (size_t i = 1; i < size && n < sizeof(s) - 1; i++) {
        s[n++] = (char)data[i];
    }
    s[n] = '\0';
    double got;
    bool range;
    size_t used = libos_strtod_hex(s, &got, &range);
    if (used > strlen(s)) {
        abort();
    }
    if (used == 0) {
        return;
    }
    char *end;
    errno = 0;
    double want = strtod(s, &end);
    if (fabs(want) < 0x1p-1021) {
        return;
    }
    if ((size_t)(end - s) != used || memcmp(&got, &want, sizeof(got)) != 0 ||
        range != (errno == ERANGE)) {
        fprintf(stderr, "strtod(\"%s\"): glibc %a (%zu), libos %a (%zu)\n", s, want,
                (size_t)(end - s), got, used);
        abort();
    }
    float gotf;
    used = libos_strtof_hex(s, &gotf, &range);
    errno = 0;
    float wantf = strtof(s, &end);
    if (fabsf(wantf) >= 0x1p-125f &&
        ((size_t)(end - s) != used || memcmp(&gotf, &wantf, sizeof(gotf)) != 0 ||
         range != (errno == ERANGE))) {
        fprintf(stderr, "strtof(\"%s\"): glibc %a (%zu), libos %a (%zu)\n", s, (double)wantf,
                (size_t)(end - s), (double)gotf, used);
        abort();
    }
#if defined(__x86_64__)
    uint8_t got128[16], want128[16];
    used = libos_strto128_hex(s, got128, &range);
    errno = 0;
    __float128 w = strtof128(s, &end);
    memcpy(want128, &w, sizeof(want128));
    if ((((unsigned)want128[15] << 8 | want128[14]) & 0x7fff) > 1 &&
        ((size_t)(end - s) != used || memcmp(got128, want128, sizeof(got128)) != 0 ||
         range != (errno == ERANGE))) {
        fprintf(stderr, "strtof128(\"%s\"): glibc and libos differ\n", s);
        abort();
    }
#endif
}

static void fuzz_printf(const uint8_t *data, size_t size)
{
    uint8_t in[13] = { 0 };
    memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
    double v;
    memcpy(&v, in + 1, sizeof(v));
    static const char convs[] = "efgEFG";
    libos_fmt_spec_t spec = {
        .flags = in[9] & 31u,
        .width = in[10] % 64,
        .prec = (int)(in[11] | (in[12] & 3) << 8) - 1, /* -1..1022 */
        .conv = convs[(in[9] >> 5) % 6],
    };
    if ((spec.conv == 'g' || spec.conv == 'G') && (spec.flags & LIBOS_FMT_ALT)) {
        spec.flags &= ~LIBOS_FMT_ALT;
    }
    char fmt[32];
    int fn =
        snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%s%d", (spec.flags & LIBOS_FMT_MINUS) ? "-" : "",
                 (spec.flags & LIBOS_FMT_PLUS) ? "+" : "",
                 (spec.flags & LIBOS_FMT_SPACE) ? " " : "", (spec.flags & LIBOS_FMT_ALT) ? "#" : "",
                 (spec.flags & LIBOS_FMT_ZERO) ? "0" : "", spec.width);
    if (spec.prec >= 0) {
        fn += snprintf(fmt + fn, sizeof(fmt) - (size_t)fn, ".%d", spec.prec);
    }
    snprintf(fmt + fn, sizeof(fmt) - (size_t)fn, "%c", spec.conv);
    static char want[OUT_SIZE];
    static sink_t got;
    got.len = 0;
    got.buf[0] = '\0';
    int wn = snprintf(want, sizeof(want), fmt, v);
    long gn = libos_fmt_double(v, &spec, sink_put, &got);
    if (wn >= (int)sizeof(want)) {
        return; /* %f of a large number at a large precision: past the buffer */
    }
    if (gn != wn || strcmp(want, got.buf) != 0) {
        fprintf(stderr, "%s of %a: glibc \"%s\", libos \"%s\"\n", fmt, v, want, got.buf);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    if (data[0] & 2) {
        fuzz_printf(data, size);
    } else {
        fuzz_strtod(data, size);
    }
    return 0;
}
