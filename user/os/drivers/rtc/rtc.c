/* The rtc driver (docs/os.md "rtc"): serves proto/rtc.proto from the PL031
 * real-time clock of QEMU virt at 0x09010000, read-only: its data register
 * counts seconds since 1970 (QEMU starts it at the host's time). The alarm
 * and its interrupt are not used.
 * Grants: "rtc" (its endpoint), "regs" (the device page). */
#include "../grant.h"

#include <keel/printf.h>
#include <keel/proto/rtc_server.h>
#include <sel4/sel4.h>

#define RTC_DR 0x000         /* data: the current seconds */
#define RTC_PERIPH_ID0 0xFE0 /* 0x31 for the PL031 */
#define RTC_PL031_ID0 0x31

static volatile uint32_t *regs;

static uint32_t reg_read(unsigned offset)
{
    return regs[offset / 4];
}

long proto_rtc_time(void *ctx, seL4_Word badge, int64_t *seconds)
{
    (void)ctx;
    (void)badge;
    *seconds = reg_read(RTC_DR); /* 32 bits of seconds: until 2106 */
    return 0;
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    seL4_CPtr endpoint = driver_grant("rtc", KEEL_CAP_SERVICE)->cptr;
    regs = (volatile uint32_t *)driver_grant("regs", KEEL_CAP_REGION)->vaddr;
    if ((reg_read(RTC_PERIPH_ID0) & 0xff) != RTC_PL031_ID0) {
        printf("rtc: no PL031 at its device page (id 0x%x); stopping\n", reg_read(RTC_PERIPH_ID0));
        keel_exit_hook(1);
    }
    printf("rtc: PL031, %u seconds since 1970\n", reg_read(RTC_DR));
    seL4_Word badge;
    seL4_MessageInfo_t info = seL4_Recv(endpoint, &badge);
    for (;;) {
        keel_proto_request_t req = { .badge = badge };
        seL4_MessageInfo_t reply;
        proto_rtc_dispatch(&req, info, &reply); /* never deferred */
        info = seL4_ReplyRecv(endpoint, reply, &badge);
    }
}
