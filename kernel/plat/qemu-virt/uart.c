/* PL011 UART, polled transmit only: the kernel never takes UART interrupts,
 * so user-level drivers can own the receive path. */
#include <arch/arch.h>
#include <arch/machine.h>
#include <plat/machine.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

static volatile uint32_t *uart_reg(word_t offset)
{
    return (volatile uint32_t *)paddr_to_kernel(PLAT_UART_PADDR + offset);
}

void arch_putchar(char c)
{
    while (*uart_reg(UART_FR) & UART_FR_TXFF) {
    }
    *uart_reg(UART_DR) = (uint8_t)c;
}
