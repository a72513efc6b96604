/* A small printf for the kernel's debug console. */
#include <arch/arch.h>
#include <printk.h>
#include <util.h>

void kputchar(char c)
{
    if (c == '\n') {
        arch_putchar('\r');
    }
    arch_putchar(c);
}

typedef struct format_spec {
    bool left;
    bool zero;
    unsigned width;
    unsigned length; /* number of 'l' (or 'z' counted as 2) */
} format_spec_t;

static void put_padding(unsigned count, char c)
{
    while (count-- > 0) {
        kputchar(c);
    }
}

static void put_string(const char *s, const format_spec_t *spec)
{
    unsigned len = (unsigned)strlen(s);
    if (!spec->left && spec->width > len) {
        put_padding(spec->width - len, ' ');
    }
    while (*s) {
        kputchar(*s++);
    }
    if (spec->left && spec->width > len) {
        put_padding(spec->width - len, ' ');
    }
}

static void put_number(word_t value, unsigned base, bool negative, const format_spec_t *spec)
{
    char digits[24];
    unsigned n = 0;
    do {
        unsigned d = (unsigned)(value % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        value /= base;
    } while (value != 0);
    unsigned len = n + (negative ? 1 : 0);
    unsigned pad = spec->width > len ? spec->width - len : 0;
    if (!spec->left && !spec->zero) {
        put_padding(pad, ' ');
    }
    if (negative) {
        kputchar('-');
    }
    if (!spec->left && spec->zero) {
        put_padding(pad, '0');
    }
    while (n > 0) {
        kputchar(digits[--n]);
    }
    if (spec->left) {
        put_padding(pad, ' ');
    }
}

static const char *parse_spec(const char *f, format_spec_t *spec)
{
    *spec = (format_spec_t){ 0 };
    for (;; f++) {
        if (*f == '-') {
            spec->left = true;
        } else if (*f == '0') {
            spec->zero = true;
        } else {
            break;
        }
    }
    while (*f >= '0' && *f <= '9') {
        spec->width = spec->width * 10 + (unsigned)(*f++ - '0');
    }
    while (*f == 'l' || *f == 'z') {
        spec->length += *f == 'z' ? 2 : 1;
        f++;
    }
    return f;
}

static word_t unsigned_arg(va_list *args, unsigned length)
{
    return length > 0 ? va_arg(*args, word_t) : va_arg(*args, unsigned int);
}

static sword_t signed_arg(va_list *args, unsigned length)
{
    return length > 0 ? va_arg(*args, sword_t) : va_arg(*args, int);
}

void kvprintf(const char *f, va_list args)
{
    va_list ap;
    va_copy(ap, args);
    for (; *f != '\0'; f++) {
        if (*f != '%') {
            kputchar(*f);
            continue;
        }
        format_spec_t spec;
        f = parse_spec(f + 1, &spec);
        switch (*f) {
        case 'c':
            kputchar((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            put_string(s ? s : "(null)", &spec);
            break;
        }
        case 'd':
        case 'i': {
            sword_t v = signed_arg(&ap, spec.length);
            put_number(v < 0 ? (word_t)0 - (word_t)v : (word_t)v, 10, v < 0, &spec);
            break;
        }
        case 'u':
            put_number(unsigned_arg(&ap, spec.length), 10, false, &spec);
            break;
        case 'x':
            put_number(unsigned_arg(&ap, spec.length), 16, false, &spec);
            break;
        case 'p':
            kputchar('0');
            kputchar('x');
            put_number((word_t)(uintptr_t)va_arg(ap, void *), 16, false, &spec);
            break;
        case '%':
            kputchar('%');
            break;
        case '\0':
            va_end(ap);
            return;
        default:
            kputchar('%');
            kputchar(*f);
            break;
        }
    }
    va_end(ap);
}

void kprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kvprintf(format, args);
    va_end(args);
}
