/* Formatted output on the kernel debug console (seL4_DebugPutChar) and into
 * strings. Conversions: %d %i %u %x %X %p %s %c %%; length modifiers hh h l ll
 * z j t; flags - 0 (and # for 0x prefixes); field width and precision, either
 * as digits or '*'. No floating point. */
#pragma once

#include <stdarg.h>
#include <stddef.h>

int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *format, va_list args) __attribute__((format(printf, 1, 0)));
int snprintf(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *format, va_list args)
    __attribute__((format(printf, 3, 0)));

/* Write one character / a string and a newline on the console. */
int putchar(int c);
int puts(const char *s);
