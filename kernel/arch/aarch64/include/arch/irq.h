/* The SGI signal cap's method (object/irq.c; IRQ control's Arm methods are
 * arch_decode_irq_control_invocation, arch.h). */
#pragma once

#include <invocation.h>

/* An SGI signal cap ignores the label: invoking it raises its SGI. */
exception_t invoke_sgi_signal(invocation_t *inv);
