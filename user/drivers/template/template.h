/* The template driver: the smallest complete driver, to copy when writing a
 * new one. It has no device; its notification stands in for an interrupt.
 *
 * Protocol (labels; reply label 0 = success, else enum driver_error):
 *   TEMPLATE_PING  MR0 = x           reply MR0 = x + 1
 *   TEMPLATE_WAIT  (no arguments)    deferred until the driver's notification
 *                                    is signalled; reply MR0 = the bits */
#pragma once

#include "../lib/driver.h"

enum template_label {
    TEMPLATE_PING = 1,
    TEMPLATE_WAIT = 2,
};

/* The driver's entry (driver_env_t.main). */
void template_main(const driver_env_t *env);
