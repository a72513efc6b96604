/* The rtc driver (docs/os.md "The rtc driver"): reads the PL031 real-time
 * clock of QEMU virt at 0x09010000 for its clients, read-only: its data
 * register counts seconds since 1970 (QEMU starts it at the host's time).
 * The alarm and its interrupt are not used. Each client has a channel
 * (keel/os/rtc.h): a KEEL_RTC_READ request is answered with the seconds.
 * Grants: "regs" (the device page), "notify" (its own notification), and
 * a channel per client (NAME and NAME.notify). */
#include "../grant.h"

#include <keel/os/rtc.h>

#define RTC_DR 0x000         /* data: the current seconds */
#define RTC_PERIPH_ID0 0xFE0 /* 0x31 for the PL031 */
#define RTC_PL031_ID0 0x31
#define CLIENTS_MAX 8

static volatile uint32_t *regs;

static uint32_t reg_read(unsigned offset)
{
    return regs[offset / 4];
}

/* Answer the client's requests while an answer fits (keel/os/rtc.h). */
static void serve(const driver_client_t *client)
{
    keel_ring_entry_t e;
    bool answered = false;
    if (!driver_client_ready(client)) {
        return; /* a restart: the client has not caught up yet */
    }
    while (!keel_ring_full(&client->chan->completion) &&
           keel_ring_get(&client->chan->request, &e)) {
        keel_ring_entry_t done = { .cookie = e.cookie, .op = KEEL_RTC_BAD_REQUEST };
        if (e.op == KEEL_RTC_READ) {
            done.op = KEEL_RTC_DONE;
            done.offset = reg_read(RTC_DR); /* 32 bits of seconds: until 2106 */
        }
        answered |= keel_ring_put(&client->chan->completion, done);
    }
    if (answered) {
        seL4_Signal(client->signal);
    }
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    regs = (volatile uint32_t *)driver_grant("regs", KEEL_CAP_REGION)->vaddr;
    seL4_CPtr own = driver_grant("notify", KEEL_CAP_NOTIFICATION)->cptr;
    driver_client_t clients[CLIENTS_MAX];
    unsigned nclients = driver_clients(clients, CLIENTS_MAX);
    if ((reg_read(RTC_PERIPH_ID0) & 0xff) != RTC_PL031_ID0) {
        printf("rtc: no PL031 at its device page (id 0x%x); stopping\n", reg_read(RTC_PERIPH_ID0));
        keel_exit_hook(1);
    }
    char names[128];
    printf("rtc: PL031, %u seconds since 1970; clients: %s\n", reg_read(RTC_DR),
           driver_client_names(clients, nclients, names, sizeof(names)));
    for (;;) {
        seL4_Word bits;
        seL4_Wait(own, &bits);
        for (unsigned i = 0; i < nclients; i++) {
            serve(&clients[i]);
        }
    }
}
