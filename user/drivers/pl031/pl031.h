/* PL031 real-time clock driver: reads the seconds counter and sets a
 * one-shot alarm whose reply is deferred until the alarm interrupt.
 *
 * Needs: the RTC's 4 KiB register frame (QEMU virt: 0x09010000) and its IRQ
 * handler (SPI 2 = interrupt 34, level), the notification bit DRIVER_IRQ_BIT.
 *
 * Protocol (reply label 0 = success, else enum driver_error):
 *   RTC_READ   (no arguments)   reply MR0 = the counter (seconds)
 *   RTC_ALARM  MR0 = n, 1 <= n <= RTC_ALARM_MAX seconds from now
 *              deferred until the alarm fires; reply MR0 = the counter then,
 *              MR1 = the match value set. One alarm at a time (DRIVER_EBUSY). */
#pragma once

#include "../lib/driver.h"

#define PL031_PADDR 0x09010000ul
#define PL031_IRQ 34
#define RTC_ALARM_MAX 3600

enum pl031_label {
    RTC_READ = 1,
    RTC_ALARM = 2,
};

void pl031_main(const driver_env_t *env);
