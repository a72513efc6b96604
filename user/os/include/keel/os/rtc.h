/* The rtc channel (docs/os.md "The rtc driver", "Driver channels"): a
 * keel/os/ring.h channel of one page between the rtc driver and one
 * client; the driver serves every such channel its description gives it.
 * A request KEEL_RTC_READ (any `cookie`) is answered by a completion with
 * the same cookie, status KEEL_RTC_DONE and, in `offset`, the seconds
 * since 1970-01-01 00:00 UTC that the clock counts. Anything else gets
 * KEEL_RTC_BAD_REQUEST. Reading has no effect, so a request made again
 * (to a restarted driver) is harmless. The driver takes a request only
 * while the completion ring has room.
 *
 * KEEL_RTC_TICK asks to be woken by the clock's alarm: it is answered
 * KEEL_RTC_DONE, with the seconds, about a second later (the PL031's match
 * register; rs's second clock, docs/reliability.md "Hangs"). One at a
 * time per client: a TICK while one is pending is answered
 * KEEL_RTC_BAD_REQUEST at once. Asked again of a restarted driver, it is
 * answered a second after that. */
#pragma once

#include <keel/os/ring.h>

#define KEEL_RTC_READ 1
#define KEEL_RTC_TICK 2

/* Completion statuses (the entry's op). */
#define KEEL_RTC_DONE 0
#define KEEL_RTC_BAD_REQUEST 1
