/* libos's exact float conversions (fmtfloat.c): printf's %e, %f and %g
 * from the double's exact decimal value, rounded half to even, and
 * strtod, strtof and strtold of a hexadecimal subject sequence rounded
 * half to even. Plain C without picolibc's internals: the host test
 * (tests/host/test_fmtfloat.c) compares them with glibc's. stdio_wrap.c
 * puts them in front of picolibc's printf family and strto* (docs/posix.md
 * "stdio"). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The flags of a conversion specification (C11 7.21.6.1). */
#define LIBOS_FMT_MINUS 0x1u /* '-': left-justified */
#define LIBOS_FMT_PLUS 0x2u  /* '+': a sign always */
#define LIBOS_FMT_SPACE 0x4u /* ' ': a space where the sign is not '-' */
#define LIBOS_FMT_ALT 0x8u   /* '#': the point always; %g keeps trailing zeros */
#define LIBOS_FMT_ZERO 0x10u /* '0': padded with zeros after the sign */

typedef struct libos_fmt_spec {
    unsigned flags; /* LIBOS_FMT_* */
    int width;      /* minimum field width, >= 0 */
    int prec;       /* precision; < 0: none given (6) */
    char conv;      /* one of e E f F g G */
} libos_fmt_spec_t;

/* Writes n bytes of s somewhere; 0, or -1 when it cannot (an output error). */
typedef int libos_fmt_put_t(void *ctx, const char *s, size_t n);

/* Formats v as the conversion spec describes, through put. The number of
 * bytes written, or -1 once put has failed. */
long libos_fmt_double(double v, const libos_fmt_spec_t *spec, libos_fmt_put_t *put, void *ctx);

/* A hexadecimal subject sequence of strtod at s (after the white space and
 * the sign, which the caller has read): "0x" or "0X", hexadecimal digits
 * with at most one point and at least one digit, then an optional binary
 * exponent ('p' or 'P', a sign, decimal digits). Returns the number of
 * bytes of s that form it and sets *value (positive; the caller applies
 * the sign) and *range (the result overflowed to HUGE_VAL, or underflowed:
 * it is subnormal or zero and not exact). When the "0x" is followed by no
 * digit, only the "0" is the subject: 1 and a zero value. 0 when s does
 * not start with "0x" or "0X". */
size_t libos_strtod_hex(const char *s, double *value, bool *range);

/* The same for strtof: rounded to a float (binary32). */
size_t libos_strtof_hex(const char *s, float *value, bool *range);

/* The same for strtold where long double is IEEE 754 binary128 (AArch64):
 * the 16 bytes at value, in the machine's byte order. */
size_t libos_strto128_hex(const char *s, void *value, bool *range);
