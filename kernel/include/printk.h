/* Kernel console output (debug builds print; the format is printf-like:
 * %c %s %d %i %u %x %p with l/ll/z modifiers, width and 0/- flags). */
#pragma once

#include <stdarg.h>
#include <types.h>

void kputchar(char c);
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *format, va_list args);
