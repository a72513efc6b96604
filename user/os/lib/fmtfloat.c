/* Exact conversions between binary floating point and text (fmtfloat.h).
 *
 * printf: a finite double is m * 2^e with m an integer below 2^53. Its
 * exact decimal value is m * 2^e (e >= 0) or m * 5^-e / 10^-e (e < 0):
 * an integer times a power of ten, the integer made in a big number of
 * base-1e9 limbs by multiplying by 2^29 or 5^13 at a time. Its digits
 * (at most 767 significant ones) are rounded to the digits the conversion
 * keeps, half to even on the exact value, then laid out as C11 7.21.6.1
 * describes %e, %f and %g.
 *
 * strtod, strtof and strtold of hexadecimal: the first 124 to 128 bits of
 * the digits, a sticky bit for any nonzero digit after them and the binary
 * exponent; rounded half to even to the format's 53, 24 or 113 bits, or to
 * fewer for a subnormal. */
#include "fmtfloat.h"

#include <stdint.h>
#include <string.h>

/* --- exact decimal digits ---------------------------------------------------- */

#define LIMB_BASE 1000000000u
#define LIMB_DIGITS 9
/* m * 5^1074 < 2^53 * 5^1074 < 10^767: 86 limbs; 2^1024 < 10^309. */
#define MAX_LIMBS 88
#define MAX_DIGITS (MAX_LIMBS * LIMB_DIGITS)

typedef struct big {
    uint32_t limb[MAX_LIMBS]; /* least significant first */
    int n;
} big_t;

/* The decimal digits of a value: 0.d[0]d[1]...d[n-1] * 10^(x+1), i.e. the
 * first digit stands for 10^x. No trailing zero digits; n == 0 is zero. */
typedef struct decimal {
    char d[MAX_DIGITS];
    int n;
    int x;
} decimal_t;

static void big_mul(big_t *b, uint32_t factor)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->limb[i] * factor + carry;
        b->limb[i] = (uint32_t)(t % LIMB_BASE);
        carry = t / LIMB_BASE;
    }
    while (carry != 0 && b->n < MAX_LIMBS) {
        b->limb[b->n++] = (uint32_t)(carry % LIMB_BASE);
        carry /= LIMB_BASE;
    }
}

/* The digits of m * 2^e (m > 0, m < 2^53). */
static void exact_digits(uint64_t m, int e, decimal_t *out)
{
    big_t b;
    while ((m & 1) == 0) {
        m >>= 1;
        e++;
    }
    b.n = 0;
    while (m != 0) {
        b.limb[b.n++] = (uint32_t)(m % LIMB_BASE);
        m /= LIMB_BASE;
    }
    int shift = 0; /* the value is b / 10^shift */
    if (e >= 0) {
        for (; e >= 29; e -= 29) {
            big_mul(&b, 1u << 29);
        }
        if (e > 0) {
            big_mul(&b, 1u << e);
        }
    } else {
        shift = -e;
        int k = -e;
        for (; k >= 13; k -= 13) {
            big_mul(&b, 1220703125u); /* 5^13 */
        }
        uint32_t p = 1;
        for (; k > 0; k--) {
            p *= 5;
        }
        if (p > 1) {
            big_mul(&b, p);
        }
    }
    /* the most significant limb without its leading zeros, then 9 a limb */
    int n = 0;
    char top[LIMB_DIGITS];
    int t = 0;
    for (uint32_t v = b.limb[b.n - 1]; v != 0; v /= 10) {
        top[t++] = (char)('0' + v % 10);
    }
    while (t > 0) {
        out->d[n++] = top[--t];
    }
    for (int i = b.n - 2; i >= 0; i--) {
        uint32_t v = b.limb[i];
        for (int j = LIMB_DIGITS - 1; j >= 0; j--) {
            out->d[n + j] = (char)('0' + v % 10);
            v /= 10;
        }
        n += LIMB_DIGITS;
    }
    out->x = n - 1 - shift;
    while (n > 0 && out->d[n - 1] == '0') {
        n--;
    }
    out->n = n;
}

/* Keeps the first p digits (p may be 0 or less: digits above the first),
 * rounding half to even on the exact value. */
static void round_digits(decimal_t *v, int p)
{
    if (v->n <= p) {
        return;
    }
    if (p < 0) {
        v->n = 0; /* below half a unit of the last kept place */
        return;
    }
    char next = v->d[p];
    bool more = v->n > p + 1; /* no trailing zeros: anything after is nonzero */
    bool odd = p > 0 && ((v->d[p - 1] - '0') & 1);
    bool up = next > '5' || (next == '5' && (more || odd));
    v->n = p;
    if (up) {
        int i = p - 1;
        while (i >= 0 && v->d[i] == '9') {
            i--;
        }
        if (i < 0) {
            v->d[0] = '1';
            v->n = 1;
            v->x++;
        } else {
            v->d[i]++;
            v->n = i + 1;
        }
    }
    while (v->n > 0 && v->d[v->n - 1] == '0') {
        v->n--;
    }
}

/* --- output -------------------------------------------------------------------- */

typedef struct out {
    libos_fmt_put_t *put;
    void *ctx;
    char buf[64];
    size_t len;
    bool failed;
} out_t;

static void out_flush(out_t *o)
{
    if (o->len != 0 && !o->failed && o->put(o->ctx, o->buf, o->len) != 0) {
        o->failed = true;
    }
    o->len = 0;
}

static void out_char(out_t *o, char c)
{
    if (o->len == sizeof(o->buf)) {
        out_flush(o);
    }
    o->buf[o->len++] = c;
}

static void out_repeat(out_t *o, char c, long n)
{
    for (; n > 0; n--) {
        out_char(o, c);
    }
}

/* The digit of v at the place 10^place. */
static char digit_at(const decimal_t *v, int place)
{
    long i = (long)v->x - place;
    return i >= 0 && i < v->n ? v->d[i] : '0';
}

/* --- printf's %e, %f, %g ------------------------------------------------------- */

long libos_fmt_double(double value, const libos_fmt_spec_t *spec, libos_fmt_put_t *put, void *ctx)
{
    out_t o = { .put = put, .ctx = ctx, .len = 0, .failed = false };
    uint64_t bits;
    memcpy(&bits, &value, sizeof(bits));
    bool negative = (bits >> 63) != 0;
    int biased = (int)((bits >> 52) & 0x7ff);
    uint64_t fraction = bits & ((UINT64_C(1) << 52) - 1);
    char conv = spec->conv;
    bool upper = conv == 'E' || conv == 'F' || conv == 'G';
    char lower = (char)(upper ? conv - 'A' + 'a' : conv);
    bool alt = (spec->flags & LIBOS_FMT_ALT) != 0;
    int prec = spec->prec < 0 ? 6 : spec->prec;

    char sign = 0;
    if (negative) {
        sign = '-';
    } else if (spec->flags & LIBOS_FMT_PLUS) {
        sign = '+';
    } else if (spec->flags & LIBOS_FMT_SPACE) {
        sign = ' ';
    }

    const char *word = NULL; /* inf or nan */
    decimal_t digits;
    decimal_t *v = &digits;
    v->n = 0; /* zero until it is not */
    v->x = 0;
    bool estyle = lower == 'e';
    long len;
    if (biased == 0x7ff) {
        word = fraction != 0 ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        len = 3;
    } else {
        if (biased != 0 || fraction != 0) {
            uint64_t m = biased != 0 ? fraction | (UINT64_C(1) << 52) : fraction;
            int e = biased != 0 ? biased - 1075 : -1074;
            exact_digits(m, e, v);
        }
        if (lower == 'g') {
            int p = prec == 0 ? 1 : prec;
            round_digits(v, p);
            int x = v->n == 0 ? 0 : v->x;
            if (x < p && x >= -4) {
                prec = p - 1 - x;
                if (!alt) {
                    int need = v->n - 1 - x; /* fraction digits that are not zeros */
                    prec = need < 0 ? 0 : (need < prec ? need : prec);
                }
            } else {
                estyle = true;
                prec = p - 1;
                if (!alt) {
                    prec = v->n > 1 ? (v->n - 1 < prec ? v->n - 1 : prec) : 0;
                }
            }
        } else if (estyle) {
            round_digits(v, prec + 1);
        } else if (v->n != 0) {
            long p = (long)v->x + 1 + prec;
            round_digits(v, p < -1 ? -1 : (p > MAX_DIGITS ? MAX_DIGITS : (int)p));
        }
        bool point = prec > 0 || alt;
        if (estyle) {
            int x = v->n == 0 ? 0 : v->x;
            int ax = x < 0 ? -x : x;
            len = 1 + point + (long)prec + 2 + (ax >= 100 ? 3 : 2);
        } else {
            int x = v->n == 0 ? -1 : v->x;
            len = (x >= 0 ? x + 1 : 1) + point + (long)prec;
        }
    }

    long total = len + (sign != 0);
    long pad = spec->width > total ? spec->width - total : 0;
    bool left = (spec->flags & LIBOS_FMT_MINUS) != 0;
    bool zeros = !left && word == NULL && (spec->flags & LIBOS_FMT_ZERO) != 0;
    if (!left && !zeros) {
        out_repeat(&o, ' ', pad);
    }
    if (sign != 0) {
        out_char(&o, sign);
    }
    if (zeros) {
        out_repeat(&o, '0', pad);
    }
    if (word != NULL) {
        out_char(&o, word[0]);
        out_char(&o, word[1]);
        out_char(&o, word[2]);
    } else if (estyle) {
        int x = v->n == 0 ? 0 : v->x;
        out_char(&o, v->n == 0 ? '0' : v->d[0]);
        if (prec > 0 || alt) {
            out_char(&o, '.');
        }
        for (int i = 1; i <= prec; i++) {
            out_char(&o, i < v->n ? v->d[i] : '0');
        }
        out_char(&o, upper ? 'E' : 'e');
        out_char(&o, x < 0 ? '-' : '+');
        int ax = x < 0 ? -x : x;
        if (ax >= 100) {
            out_char(&o, (char)('0' + ax / 100));
        }
        out_char(&o, (char)('0' + ax / 10 % 10));
        out_char(&o, (char)('0' + ax % 10));
    } else {
        int x = v->n == 0 ? -1 : v->x;
        if (x < 0) {
            out_char(&o, '0');
        }
        for (int place = x; place >= 0; place--) {
            out_char(&o, digit_at(v, place));
        }
        if (prec > 0 || alt) {
            out_char(&o, '.');
        }
        for (int place = -1; place >= -prec; place--) {
            out_char(&o, digit_at(v, place));
        }
    }
    if (left) {
        out_repeat(&o, ' ', pad);
    }
    out_flush(&o);
    return o.failed ? -1 : total + pad;
}

/* --- strtod of hexadecimal ------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* A bound on the binary exponents counted, far beyond any result but 0 or
 * HUGE_VAL and far below what overflows their sum. */
#define EXP_LIMIT (1LL << 40)

typedef unsigned __int128 u128;

/* The hexadecimal subject at s as the bits of a binary format of prec
 * significand bits (113, 53, 24) and largest exponent emax (16383, 1023,
 * 127); the least is 1 - emax. */
static size_t hex_to_binary(const char *s, int prec, int emax, u128 *bits, bool *range)
{
    *bits = 0;
    *range = false;
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
        return 0;
    }
    const char *p = s + 2;
    bool digits = false, point = false, sticky = false;
    u128 m = 0;
    long long exp = 0; /* the value is m * 2^exp, sticky below m's last bit */
    for (;; p++) {
        if (*p == '.' && !point) {
            point = true;
            continue;
        }
        int h = hex_value(*p);
        if (h < 0) {
            break;
        }
        digits = true;
        if (m >> 124 == 0) {
            m = m << 4 | (u128)h;
            if (point && exp > -EXP_LIMIT) {
                exp -= 4;
            }
        } else {
            sticky |= h != 0;
            if (!point && exp < EXP_LIMIT) {
                exp += 4;
            }
        }
    }
    if (!digits) {
        return 1; /* "0x" and no digit: the subject is the "0" */
    }
    if (*p == 'p' || *p == 'P') {
        const char *q = p + 1;
        bool minus = false;
        if (*q == '+' || *q == '-') {
            minus = *q == '-';
            q++;
        }
        if (*q >= '0' && *q <= '9') {
            long long e = 0;
            for (; *q >= '0' && *q <= '9'; q++) {
                if (e < EXP_LIMIT) {
                    e = e * 10 + (*q - '0');
                }
            }
            exp += minus ? -e : e;
            p = q;
        }
    }
    size_t used = (size_t)(p - s);
    if (m == 0) {
        return used; /* zero, exactly */
    }
    int lz = 0;
    while ((m >> (127 - lz) & 1) == 0) {
        lz++;
    }
    m <<= lz;
    long long top = exp + 127 - lz; /* the leading bit stands for 2^top */
    const int emin = 1 - emax;
    const u128 one = 1;
    const u128 huge = (u128)(2 * emax + 1) << (prec - 1); /* infinity */
    if (top > emax) {
        *bits = huge;
        *range = true;
        return used;
    }
    /* the bits the format keeps: prec, or fewer below 2^emin (a subnormal's
     * last bit stands for 2^(emin - prec + 1)) */
    long long keep = top >= emin ? prec : top - emin + prec;
    if (keep < 0) {
        *range = true; /* below half the least subnormal: zero */
        return used;
    }
    u128 q;
    bool up, inexact;
    if (keep == 0) {
        q = 0; /* m is at least half the least subnormal: a tie goes to the even 0 */
        up = m > one << 127 || sticky;
        inexact = true;
    } else {
        int drop = 128 - (int)keep;
        q = m >> drop;
        u128 rest = m & ((one << drop) - 1);
        u128 half = one << (drop - 1);
        up = rest > half || (rest == half && (sticky || (q & 1) != 0));
        inexact = rest != 0 || sticky;
    }
    q += up;
    if (keep == prec) {
        if (q >> prec != 0) {
            q >>= 1;
            top++;
        }
        if (top > emax) {
            *bits = huge;
            *range = true;
            return used;
        }
        *bits = (u128)(top + emax) << (prec - 1) | (q & ((one << (prec - 1)) - 1));
    } else {
        *bits = q; /* a subnormal; 2^(prec-1) is the least normal's encoding */
    }
    /* underflow: inexact and tiny, i.e. below 2^emin even when rounded to
     * prec bits without the exponent's bound (IEEE 754's tininess after
     * rounding, which glibc's strtod reports as ERANGE) */
    bool tiny = keep < prec;
    if (top == emin - 1) {
        int drop = 128 - prec;
        u128 qp = m >> drop, rest = m & ((one << drop) - 1);
        u128 half = one << (drop - 1);
        bool upp = rest > half || (rest == half && (sticky || (qp & 1) != 0));
        tiny = qp + upp < one << prec;
    }
    *range = inexact && tiny;
    return used;
}

size_t libos_strtod_hex(const char *s, double *value, bool *range)
{
    u128 bits;
    size_t used = hex_to_binary(s, 53, 1023, &bits, range);
    uint64_t b64 = (uint64_t)bits;
    memcpy(value, &b64, sizeof(*value));
    return used;
}

size_t libos_strtof_hex(const char *s, float *value, bool *range)
{
    u128 bits;
    size_t used = hex_to_binary(s, 24, 127, &bits, range);
    uint32_t b32 = (uint32_t)bits;
    memcpy(value, &b32, sizeof(*value));
    return used;
}

size_t libos_strto128_hex(const char *s, void *value, bool *range)
{
    u128 bits;
    size_t used = hex_to_binary(s, 113, 16383, &bits, range);
    memcpy(value, &bits, sizeof(bits));
    return used;
}
