/* Console output of the benchmark root task: formatted with libkeel's
 * vsnprintf, written to the PL011 data register the root task has mapped. */
#include "bench.h"
#include <keel/printf.h>
#include <stdarg.h>

#define UART_DR 0x00 /* data register (words) */
#define UART_FR 0x18 /* flag register */
#define UART_FR_TXFF (1u << 5)

static volatile uint32_t *uart;

void uart_init(volatile uint32_t *base)
{
    uart = base;
}

static void uart_putc(char c)
{
    if (uart == NULL) {
        return;
    }
    while (uart[UART_FR / 4] & UART_FR_TXFF) {
    }
    uart[UART_DR / 4] = (uint32_t)(unsigned char)c;
}

void out(const char *fmt, ...)
{
    char line[256];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    if (n >= (int)sizeof line) {
        n = (int)sizeof line - 1;
    }
    for (int i = 0; i < n; i++) {
        if (line[i] == '\n') {
            uart_putc('\r');
        }
        uart_putc(line[i]);
    }
}
