/* A test component with a device and an interrupt (tests/os/test.system): it
 * maps the PL031 RTC's registers (region "rtc", uncached), checks the
 * device's identification, sets the match register one second ahead and
 * waits on its own notification for IRQ "alarm". */
#include "../testcomp.h"
#include <stdint.h>

#define RTC_DR 0x000
#define RTC_MR 0x004
#define RTC_IMSC 0x010
#define RTC_MIS 0x018
#define RTC_ICR 0x01C
#define RTC_PERIPH_ID0 0xFE0 /* 0x31 for the PL031 */

static uint32_t reg(const keel_startcap_t *rtc, unsigned offset)
{
    return ((volatile uint32_t *)rtc->vaddr)[offset / 4];
}

static void set_reg(const keel_startcap_t *rtc, unsigned offset, uint32_t value)
{
    ((volatile uint32_t *)rtc->vaddr)[offset / 4] = value;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    const keel_startcap_t *rtc = testcomp_cap("rtc", KEEL_CAP_REGION);
    const keel_startcap_t *alarm = testcomp_cap("alarm", KEEL_CAP_IRQ);
    const keel_startcap_t *own = testcomp_cap("notify", KEEL_CAP_NOTIFICATION);
    printf("clock: RTC peripheral id 0x%x, counter %u\n", reg(rtc, RTC_PERIPH_ID0),
           reg(rtc, RTC_DR));
    uint32_t at = reg(rtc, RTC_DR) + 1;
    set_reg(rtc, RTC_MR, at);
    set_reg(rtc, RTC_IMSC, 1);
    seL4_Word word;
    seL4_Wait(own->cptr, &word);
    uint32_t pending = reg(rtc, RTC_MIS);
    set_reg(rtc, RTC_IMSC, 0);
    set_reg(rtc, RTC_ICR, 1);
    seL4_Error acked = seL4_IRQHandler_Ack(alarm->cptr);
    printf("clock: alarm interrupt (bit %s, pending %u, ack %d) at %u, set for %u\n",
           word == (KEEL_BADGE_NOTIFY | alarm->badge) ? "ok" : "WRONG", pending, acked,
           reg(rtc, RTC_DR), at);
    return 0;
}
