/* A small printf: one formatter writing into a sink that is either the debug
 * console or a bounded buffer. Returns count characters as C99 does (for
 * snprintf: the length the whole output would have had). */
#include <keel/printf.h>
#include <keel/string.h>
#include <keel/syscalls.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sink {
    char *buf; /* NULL: the console */
    size_t size;
    size_t count; /* characters produced so far */
} sink_t;

typedef struct spec {
    bool left; /* '-' */
    bool zero; /* '0' */
    bool alt;  /* '#' */
    int width;
    int precision; /* -1 if none */
    int length;    /* in bytes of the argument: 1, 2, 4 or 8 */
} spec_t;

/* The kernel's debug console; without CONFIG_PRINTING there is none and
 * console output goes nowhere. */
static void console_putchar(char c)
{
#if CONFIG_PRINTING
    seL4_DebugPutChar(c);
#else
    (void)c;
#endif
}

static void emit(sink_t *out, char c)
{
    if (out->buf == NULL) {
        console_putchar(c);
    } else if (out->count + 1 < out->size) {
        out->buf[out->count] = c;
    }
    out->count++;
}

static void emit_repeated(sink_t *out, char c, int n)
{
    for (int i = 0; i < n; i++) {
        emit(out, c);
    }
}

/* Emit `len` characters of `s` padded to the field width. */
static void emit_field(sink_t *out, const spec_t *spec, const char *s, int len)
{
    int pad = spec->width > len ? spec->width - len : 0;
    if (!spec->left) {
        emit_repeated(out, ' ', pad);
    }
    for (int i = 0; i < len; i++) {
        emit(out, s[i]);
    }
    if (spec->left) {
        emit_repeated(out, ' ', pad);
    }
}

/* Emit a number: `prefix` ("-", "0x" or ""), at least `precision` digits,
 * zero padding when the '0' flag asks for it. */
static void emit_number(sink_t *out, const spec_t *spec, uint64_t value, unsigned base, bool upper,
                        const char *prefix)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value != 0);
    int prefix_len = (int)strlen(prefix);
    int min_digits = spec->precision > n ? spec->precision : n;
    if (spec->zero && !spec->left && spec->precision < 0 && spec->width > prefix_len + n) {
        min_digits = spec->width - prefix_len;
    }
    int total = prefix_len + min_digits;
    int pad = spec->width > total ? spec->width - total : 0;
    if (!spec->left) {
        emit_repeated(out, ' ', pad);
    }
    for (int i = 0; i < prefix_len; i++) {
        emit(out, prefix[i]);
    }
    emit_repeated(out, '0', min_digits - n);
    while (n > 0) {
        emit(out, tmp[--n]);
    }
    if (spec->left) {
        emit_repeated(out, ' ', pad);
    }
}

/* Parse flags, width, precision and length at *fmt; advances *fmt. */
static void parse_spec(const char **fmt, spec_t *spec, va_list *args)
{
    const char *p = *fmt;
    *spec = (spec_t){ .precision = -1, .length = 4 };
    for (;; p++) {
        if (*p == '-') {
            spec->left = true;
        } else if (*p == '0') {
            spec->zero = true;
        } else if (*p == '#') {
            spec->alt = true;
        } else if (*p != ' ' && *p != '+') {
            break;
        }
    }
    if (*p == '*') {
        spec->width = va_arg(*args, int);
        if (spec->width < 0) {
            spec->left = true;
            spec->width = -spec->width;
        }
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        spec->width = spec->width * 10 + (*p++ - '0');
    }
    if (*p == '.') {
        p++;
        spec->precision = 0;
        if (*p == '*') {
            int precision = va_arg(*args, int);
            spec->precision = precision < 0 ? -1 : precision;
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            spec->precision = spec->precision * 10 + (*p++ - '0');
        }
    }
    for (;; p++) {
        if (*p == 'h') {
            spec->length = spec->length == 2 ? 1 : 2;
        } else if (*p == 'l' || *p == 'z' || *p == 'j' || *p == 't') {
            spec->length = 8;
        } else {
            break;
        }
    }
    *fmt = p;
}

static int64_t signed_arg(const spec_t *spec, va_list *args)
{
    if (spec->length == 8) {
        return va_arg(*args, int64_t);
    }
    int value = va_arg(*args, int);
    return spec->length == 1 ? (signed char)value : spec->length == 2 ? (short)value : value;
}

static uint64_t unsigned_arg(const spec_t *spec, va_list *args)
{
    if (spec->length == 8) {
        return va_arg(*args, uint64_t);
    }
    unsigned value = va_arg(*args, unsigned);
    return spec->length == 1   ? (unsigned char)value
           : spec->length == 2 ? (unsigned short)value
                               : value;
}

static void convert(sink_t *out, const spec_t *spec, char conversion, va_list *args)
{
    switch (conversion) {
    case 'd':
    case 'i': {
        int64_t value = signed_arg(spec, args);
        uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
        emit_number(out, spec, magnitude, 10, false, value < 0 ? "-" : "");
        break;
    }
    case 'u':
        emit_number(out, spec, unsigned_arg(spec, args), 10, false, "");
        break;
    case 'x':
    case 'X': {
        uint64_t value = unsigned_arg(spec, args);
        const char *prefix = spec->alt && value != 0 ? (conversion == 'x' ? "0x" : "0X") : "";
        emit_number(out, spec, value, 16, conversion == 'X', prefix);
        break;
    }
    case 'p':
        emit_number(out, spec, (uintptr_t)va_arg(*args, void *), 16, false, "0x");
        break;
    case 's': {
        const char *s = va_arg(*args, const char *);
        if (s == NULL) {
            s = "(null)";
        }
        int len = 0;
        while ((spec->precision < 0 || len < spec->precision) && s[len] != '\0') {
            len++;
        }
        emit_field(out, spec, s, len);
        break;
    }
    case 'c': {
        char c = (char)va_arg(*args, int);
        emit_field(out, spec, &c, 1);
        break;
    }
    case '%':
        emit(out, '%');
        break;
    default: /* unknown conversion: show it rather than guess its argument */
        emit(out, '%');
        if (conversion != '\0') {
            emit(out, conversion);
        }
        break;
    }
}

static int format(sink_t *out, const char *fmt, va_list args)
{
    va_list ap;
    va_copy(ap, args);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            emit(out, *fmt++);
            continue;
        }
        fmt++;
        spec_t spec;
        parse_spec(&fmt, &spec, &ap);
        char conversion = *fmt;
        if (conversion != '\0') {
            fmt++;
        }
        convert(out, &spec, conversion, &ap);
    }
    va_end(ap);
    return (int)out->count;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
    static char dummy;
    sink_t out = { size > 0 ? buf : &dummy, size, 0 };
    int count = format(&out, fmt, args);
    if (size > 0) {
        buf[out.count < size ? out.count : size - 1] = '\0';
    }
    return count;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int count = vsnprintf(buf, size, fmt, args);
    va_end(args);
    return count;
}

int vprintf(const char *fmt, va_list args)
{
    sink_t out = { NULL, 0, 0 };
    return format(&out, fmt, args);
}

int printf(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int count = vprintf(fmt, args);
    va_end(args);
    return count;
}

int putchar(int c)
{
    console_putchar((char)c);
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s != '\0') {
        console_putchar(*s++);
    }
    console_putchar('\n');
    return 1;
}
