/* Polled PL011 output for the kernel's debug console. */
#pragma once

void uart_putc(char c);
