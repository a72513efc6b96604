/* PL011 UART receive driver: interrupt-driven input, buffered in the driver,
 * handed to clients in order. Transmit stays with the kernel (polled debug
 * output): the driver never writes the control or line-control registers
 * and touches only the receive bits of the interrupt mask.
 *
 * Needs: the UART's 4 KiB register frame (QEMU virt: 0x09000000) and its IRQ
 * handler (SPI 1 = interrupt 33, level), the notification bit DRIVER_IRQ_BIT.
 *
 * Protocol (reply label 0 = success, else enum driver_error):
 *   UART_READ  MR0 = n, 1 <= n <= UART_READ_MAX
 *              reply when n bytes are buffered (deferred until then):
 *              MR0 = n, MR1.. = the bytes, 8 per word, the first byte in the
 *              low bits of MR1. One waiting reader at a time (DRIVER_EBUSY).
 *   UART_STATS (no arguments)  reply MR0 = bytes buffered, MR1 = bytes dropped
 *              because the buffer was full, MR2 = interrupts handled. */
#pragma once

#include "../lib/driver.h"

#define PL011_PADDR 0x09000000ul
#define PL011_IRQ 33
#define UART_READ_MAX 64
#define UART_BUFFER_SIZE 256

enum pl011_label {
    UART_READ = 1,
    UART_STATS = 2,
};

void pl011_main(const driver_env_t *env);
