/* What libos puts in front of picolibc's stdio (docs/posix.md "stdio"),
 * through ld.lld's --wrap (OS_LDFLAGS, libos.mk): a call to SYMBOL from
 * another object becomes a call to __wrap_SYMBOL, and __real_SYMBOL is
 * picolibc's.
 *
 * vfprintf (printf, fprintf, sprintf, snprintf, vsnprintf, asprintf...
 * all call it) and __d_vfprintf (strfromd, gcvt): the float conversions
 * %e %f %g %E %F %G are fmtfloat.c's, exact; every other conversion goes
 * to picolibc's vfprintf one at a time, as a format of that conversion
 * alone with its argument. A format with positional arguments (%1$d)
 * goes to picolibc whole.
 *
 * strtod (and atof, strtod_l), strtof (atoff, strtof_l) and strtold
 * (strtold_l): a hexadecimal subject sequence is fmtfloat.c's; anything
 * else is picolibc's.
 *
 * setvbuf: picolibc's changes the buffer under the bytes in it (lost, or
 * written past a smaller buffer), and when it reallocates its own buffer
 * it keeps the old pointer (freed memory): the stream is flushed first,
 * and picolibc is never given its own buffer to reallocate. */
#include "fmtfloat.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio-bufio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __real_vfprintf(FILE *stream, const char *format, va_list ap);
int __wrap_vfprintf(FILE *stream, const char *format, va_list ap);
int __real___d_vfprintf(FILE *stream, const char *format, va_list ap);
int __wrap___d_vfprintf(FILE *stream, const char *format, va_list ap);
double __real_strtod(const char *restrict s, char **restrict end);
double __wrap_strtod(const char *restrict s, char **restrict end);
long double __real_strtold(const char *restrict s, char **restrict end);
long double __wrap_strtold(const char *restrict s, char **restrict end);
float __real_strtof(const char *restrict s, char **restrict end);
float __wrap_strtof(const char *restrict s, char **restrict end);
int __real_setvbuf(FILE *restrict stream, char *restrict buf, int mode, size_t size);
int __wrap_setvbuf(FILE *restrict stream, char *restrict buf, int mode, size_t size);

typedef int vfprintf_t(FILE *stream, const char *format, va_list ap);

/* One conversion through picolibc's vfprintf, with its argument (if any). */
static int real_one(vfprintf_t *real, FILE *stream, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = real(stream, format, ap);
    va_end(ap);
    return n;
}

static int put_stream(void *ctx, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (putc(s[i], (FILE *)ctx) == EOF) {
            return -1;
        }
    }
    return 0;
}

/* Writes v (>= 0) in decimal at buf[at]; the new length. */
static size_t append_decimal(char *buf, size_t at, int v)
{
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        buf[at++] = digits[--n];
    }
    return at;
}

/* A positional argument anywhere ("%N$")? */
static bool has_positional(const char *f)
{
    for (; *f != '\0'; f++) {
        if (*f != '%') {
            continue;
        }
        if (f[1] == '%') {
            f++;
            continue;
        }
        const char *d = f + 1;
        while (*d >= '0' && *d <= '9') {
            d++;
        }
        if (*d == '$' && d > f + 1) {
            return true;
        }
    }
    return false;
}

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T, LEN_BIG_L };

/* The flag a character of a conversion specification is; 0 if none. */
static unsigned flag_of(char c)
{
    switch (c) {
    case '-':
        return LIBOS_FMT_MINUS;
    case '+':
        return LIBOS_FMT_PLUS;
    case ' ':
        return LIBOS_FMT_SPACE;
    case '#':
        return LIBOS_FMT_ALT;
    case '0':
        return LIBOS_FMT_ZERO;
    default:
        return 0;
    }
}

/* Stores count through %n's pointer, of the type its length names. */
static void store_count(void *p, enum length len, long count)
{
    switch (len) {
    case LEN_HH:
        *(signed char *)p = (signed char)count;
        break;
    case LEN_H:
        *(short *)p = (short)count;
        break;
    case LEN_L:
        *(long *)p = count;
        break;
    case LEN_LL:
        *(long long *)p = count;
        break;
    case LEN_J:
        *(intmax_t *)p = count;
        break;
    case LEN_Z:
        *(size_t *)p = (size_t)count;
        break;
    case LEN_T:
        *(ptrdiff_t *)p = count;
        break;
    default:
        *(int *)p = (int)count;
        break;
    }
}

static int do_vfprintf(vfprintf_t *real, FILE *stream, const char *format, va_list ap_in)
{
    if (has_positional(format)) {
        return real(stream, format, ap_in);
    }
    va_list ap;
    va_copy(ap, ap_in);
    long count = 0;
    const char *f = format;
    int result = 0;
    while (*f != '\0') {
        if (*f != '%') {
            if (putc(*f, stream) == EOF) {
                result = -1;
                goto out;
            }
            count++;
            f++;
            continue;
        }
        const char *start = f++;
        /* flags, width, precision, length: C11 7.21.6.1 */
        libos_fmt_spec_t spec = { .flags = 0, .width = 0, .prec = -1, .conv = 0 };
        char flags[8];
        size_t nflags = 0;
        for (unsigned bit; (bit = flag_of(*f)) != 0; f++) {
            if ((spec.flags & bit) == 0 && nflags < sizeof(flags)) {
                flags[nflags++] = *f;
            }
            spec.flags |= bit;
        }
        if (*f == '*') {
            int w = va_arg(ap, int);
            if (w < 0) {
                /* a negative width is a '-' flag and a positive width */
                if ((spec.flags & LIBOS_FMT_MINUS) == 0 && nflags < sizeof(flags)) {
                    flags[nflags++] = '-';
                }
                spec.flags |= LIBOS_FMT_MINUS;
                w = w == INT_MIN ? INT_MAX : -w;
            }
            spec.width = w;
            f++;
        } else {
            for (; *f >= '0' && *f <= '9'; f++) {
                spec.width = spec.width < 100000000 ? spec.width * 10 + (*f - '0') : spec.width;
            }
        }
        if (*f == '.') {
            f++;
            spec.prec = 0;
            if (*f == '*') {
                spec.prec = va_arg(ap, int); /* negative: as if none */
                f++;
            } else {
                for (; *f >= '0' && *f <= '9'; f++) {
                    spec.prec = spec.prec < 100000000 ? spec.prec * 10 + (*f - '0') : spec.prec;
                }
            }
        }
        enum length len = LEN_NONE;
        const char *len_text = "";
        switch (*f) {
        case 'h':
            len = f[1] == 'h' ? LEN_HH : LEN_H;
            len_text = len == LEN_HH ? "hh" : "h";
            break;
        case 'l':
            len = f[1] == 'l' ? LEN_LL : LEN_L;
            len_text = len == LEN_LL ? "ll" : "l";
            break;
        case 'j':
            len = LEN_J;
            len_text = "j";
            break;
        case 'z':
            len = LEN_Z;
            len_text = "z";
            break;
        case 't':
            len = LEN_T;
            len_text = "t";
            break;
        case 'L':
            len = LEN_BIG_L;
            len_text = "L";
            break;
        default:
            break;
        }
        f += strlen(len_text);
        char conv = *f;
        if (conv == '\0' || strchr("diouxXcspaAeEfFgGn%", conv) == NULL) {
            /* not a conversion C knows: the rest as picolibc has it */
            int n = real(stream, start, ap);
            result = n < 0 ? -1 : (int)(count + n);
            goto out;
        }
        f++;
        /* the conversion alone, for picolibc: "%" flags width .prec length conv
         * (made by hand: snprintf would come back here) */
        char one[48];
        size_t olen = 0;
        one[olen++] = '%';
        memcpy(one + olen, flags, nflags);
        olen += nflags;
        if (spec.width > 0) {
            olen = append_decimal(one, olen, spec.width);
        }
        if (spec.prec >= 0) {
            one[olen++] = '.';
            olen = append_decimal(one, olen, spec.prec);
        }
        memcpy(one + olen, len_text, strlen(len_text));
        olen += strlen(len_text);
        one[olen++] = conv;
        one[olen] = '\0';

        int n = 0;
        switch (conv) {
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G': {
            double v;
            if (len == LEN_BIG_L) {
                long double lv = va_arg(ap, long double);
                v = (double)lv;
                if (!isnan(lv) && (long double)v != lv) {
                    /* not a double: picolibc's (a double's digits at most) */
                    n = real_one(real, stream, one, lv);
                    break;
                }
            } else {
                v = va_arg(ap, double);
            }
            spec.conv = conv;
            long m = libos_fmt_double(v, &spec, put_stream, stream);
            n = m < 0 ? -1 : (int)m;
            break;
        }
        case 'a':
        case 'A':
            if (len == LEN_BIG_L) {
                n = real_one(real, stream, one, va_arg(ap, long double));
            } else {
                n = real_one(real, stream, one, va_arg(ap, double));
            }
            break;
        case 'd':
        case 'i':
            switch (len) {
            case LEN_L:
                n = real_one(real, stream, one, va_arg(ap, long));
                break;
            case LEN_LL:
                n = real_one(real, stream, one, va_arg(ap, long long));
                break;
            case LEN_J:
                n = real_one(real, stream, one, va_arg(ap, intmax_t));
                break;
            case LEN_Z:
                n = real_one(real, stream, one, va_arg(ap, size_t));
                break;
            case LEN_T:
                n = real_one(real, stream, one, va_arg(ap, ptrdiff_t));
                break;
            default: /* hh and h arrive promoted to int */
                n = real_one(real, stream, one, va_arg(ap, int));
                break;
            }
            break;
        case 'o':
        case 'u':
        case 'x':
        case 'X':
            switch (len) {
            case LEN_L:
                n = real_one(real, stream, one, va_arg(ap, unsigned long));
                break;
            case LEN_LL:
                n = real_one(real, stream, one, va_arg(ap, unsigned long long));
                break;
            case LEN_J:
                n = real_one(real, stream, one, va_arg(ap, uintmax_t));
                break;
            case LEN_Z:
                n = real_one(real, stream, one, va_arg(ap, size_t));
                break;
            case LEN_T:
                n = real_one(real, stream, one, va_arg(ap, ptrdiff_t));
                break;
            default:
                n = real_one(real, stream, one, va_arg(ap, unsigned int));
                break;
            }
            break;
        case 'c':
            /* %lc's wint_t arrives as an int too */
            n = real_one(real, stream, one, va_arg(ap, int));
            break;
        case 's':
        case 'p':
            n = real_one(real, stream, one, va_arg(ap, void *));
            break;
        case '%':
            n = real_one(real, stream, one);
            break;
        case 'n':
            store_count(va_arg(ap, void *), len, count);
            break;
        default:
            break;
        }
        if (n < 0) {
            result = -1;
            goto out;
        }
        count += n;
    }
    result = (int)count;
out:
    va_end(ap);
    return result;
}

int __wrap_vfprintf(FILE *stream, const char *format, va_list ap)
{
    return do_vfprintf(__real_vfprintf, stream, format, ap);
}

int __wrap___d_vfprintf(FILE *stream, const char *format, va_list ap)
{
    return do_vfprintf(__real___d_vfprintf, stream, format, ap);
}

/* White space and a sign, then the hexadecimal subject at the returned
 * pointer, if there is one. */
static const char *hex_subject(const char *s, bool *minus)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    *minus = *s == '-';
    if (*s == '-' || *s == '+') {
        s++;
    }
    return s;
}

double __wrap_strtod(const char *restrict s, char **restrict end)
{
    bool minus, range;
    const char *p = hex_subject(s, &minus);
    double v;
    size_t used = libos_strtod_hex(p, &v, &range);
    if (used == 0) {
        return __real_strtod(s, end);
    }
    if (end != NULL) {
        *end = (char *)(p + used);
    }
    if (range) {
        errno = ERANGE;
    }
    return minus ? -v : v;
}

float __wrap_strtof(const char *restrict s, char **restrict end)
{
    bool minus, range;
    const char *p = hex_subject(s, &minus);
    float v;
    size_t used = libos_strtof_hex(p, &v, &range);
    if (used == 0) {
        return __real_strtof(s, end);
    }
    if (end != NULL) {
        *end = (char *)(p + used);
    }
    if (range) {
        errno = ERANGE;
    }
    return minus ? -v : v;
}

/* AArch64's long double is binary128 (libos_strto128_hex's format). */
_Static_assert(LDBL_MANT_DIG == 113 && LDBL_MAX_EXP == 16384 && sizeof(long double) == 16,
               "long double is not IEEE 754 binary128");

long double __wrap_strtold(const char *restrict s, char **restrict end)
{
    bool minus, range;
    const char *p = hex_subject(s, &minus);
    long double v;
    size_t used = libos_strto128_hex(p, &v, &range);
    if (used == 0) {
        return __real_strtold(s, end);
    }
    if (end != NULL) {
        *end = (char *)(p + used);
    }
    if (range) {
        errno = ERANGE;
    }
    return minus ? -v : v;
}

int __wrap_setvbuf(FILE *restrict stream, char *restrict buf, int mode, size_t size)
{
    /* picolibc's fflush writes what a written stream holds; of a read one
     * it drops the buffered bytes and seeks back over them */
    fflush(stream);
    if ((buf != NULL && mode != _IONBF) || (stream->flags & __SBUF) == 0 ||
        (mode != _IOFBF && mode != _IOLBF && mode != _IONBF)) {
        return __real_setvbuf(stream, buf, mode, size); /* a buffer of the caller's */
    }
    /* picolibc reallocates a buffer it allocated and keeps the old
     * pointer: it never sees one of its own here. The old one is freed
     * after; a new one for _IOFBF and _IOLBF is ours, marked as its own
     * (fclose frees it); for _IONBF it allocates its byte itself (a
     * caller's buffer would go unused). */
    struct __file_bufio *bf = (struct __file_bufio *)stream;
    char *old = (bf->bflags & __BALL) != 0 ? bf->buf : NULL;
    char *mine = NULL;
    if (mode != _IONBF) {
        if (size == 0) {
            size = BUFSIZ;
        }
        if (size > INT_MAX) {
            return -1;
        }
        mine = malloc(size);
        if (mine == NULL) {
            return -1;
        }
    }
    bf->bflags &= (uint8_t)~__BALL;
    int r = __real_setvbuf(stream, mine, mode, size);
    if (r != 0) {
        free(mine);
        if (old != NULL) {
            bf->bflags |= __BALL;
        }
        return r;
    }
    if (mine != NULL) {
        bf->bflags |= __BALL;
    }
    free(old);
    return 0;
}
