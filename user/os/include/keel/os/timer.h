/* The timer channel (docs/os.md "The timer driver", "Driver channels"): a
 * keel/os/ring.h channel of one page between the timer driver and one
 * client; the driver serves every such channel its description gives it.
 *
 * A request is a timeout: KEEL_TIMER_SET with the client's `cookie` and, in
 * `offset`, its deadline as a value of the generic counter (CNTPCT_EL0,
 * which every process reads: keel_counter()). When the counter has reached
 * it, the driver puts a completion with the same cookie and status
 * KEEL_TIMER_FIRED. KEEL_TIMER_CANCEL drops the client's timeout with that
 * cookie (no completion; one already in the completion ring stays there,
 * so a client matches completions against the timeouts it still has).
 *
 * The deadline is absolute, so a request made again (to a restarted
 * driver) means the same moment: it fires then, or at once if it passed.
 *
 * The driver takes a request only while the completion ring has room (an
 * answer may be needed at once), keeps up to KEEL_TIMER_PER_CLIENT
 * timeouts of each client (one more: status KEEL_TIMER_FULL), answers
 * anything else with KEEL_TIMER_BAD_REQUEST, and holds back a fired
 * timeout while the completion ring is full, until the client signals
 * that it took some. Nothing is dropped. */
#pragma once

#include <keel/os/ring.h>
#include <stdbool.h>
#include <stdint.h>

#define KEEL_TIMER_SET 1
#define KEEL_TIMER_CANCEL 2

/* Completion statuses (the entry's op). */
#define KEEL_TIMER_FIRED 0
#define KEEL_TIMER_FULL 1
#define KEEL_TIMER_BAD_REQUEST 2

#define KEEL_TIMER_PER_CLIENT KEEL_RING_SLOTS

#define KEEL_NS_PER_SECOND UINT64_C(1000000000)

/* The generic counter and its frequency, exported to EL0 by the OS kernel
 * (docs/configuration.md). The isb keeps the read from being taken before
 * earlier instructions. */
static inline uint64_t keel_counter(void)
{
    uint64_t value;
    __asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(value) : : "memory");
    return value;
}

static inline uint64_t keel_counter_frequency(void)
{
    uint64_t value;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}

/* a + b, or UINT64_MAX when the sum does not fit. */
static inline uint64_t keel_add_saturated(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* value * numerator / denominator in two parts (whole units of the
 * denominator, then the rest), so that no product overflows for counter
 * frequencies up to 2^32 Hz; rounded up if asked, UINT64_MAX if too large. */
static inline uint64_t keel_scale(uint64_t value, uint64_t numerator, uint64_t denominator,
                                  bool round_up)
{
    uint64_t whole = value / denominator, rest = value % denominator;
    if (whole != 0 && numerator > UINT64_MAX / whole) {
        return UINT64_MAX;
    }
    uint64_t part = rest * numerator; /* rest < denominator <= 2^32 for both uses */
    uint64_t rounding = round_up && part % denominator != 0 ? 1 : 0;
    return keel_add_saturated(whole * numerator, part / denominator + rounding);
}

/* `ns` nanoseconds as counter ticks at `frequency` Hz, rounded up (a sleep
 * is never short). */
static inline uint64_t keel_ns_to_ticks(uint64_t ns, uint64_t frequency)
{
    return keel_scale(ns, frequency, KEEL_NS_PER_SECOND, true);
}

/* Counter ticks as nanoseconds, rounded down. */
static inline uint64_t keel_ticks_to_ns(uint64_t ticks, uint64_t frequency)
{
    return keel_scale(ticks, KEEL_NS_PER_SECOND, frequency, false);
}
