/* Scheduling domains (manual "Domains", ABI 5.4.5): the domain cap's
 * methods and their errors on every kernel, and on a kernel built with
 * several domains (the `ktest.domains` entry) that threads of another
 * domain never run in the current domain's slot. The build's
 * CONFIG_NUM_DOMAINS and CONFIG_NUM_DOMAIN_SCHEDULES (keel/gen/config.h)
 * say what the kernel must report.
 *
 * Every case leaves the domain schedule as it was at boot: entry 0 =
 * (domain 0, the longest duration), the rest end markers, start 0. */
#include "threads.h"
#include <keel/gen/config.h>

#define MAX_DURATION ((1ul << 56) - 1)

/* The number of domains, as the kernel tells: the first domain
 * DomainSet_Set refuses. */
static seL4_Word kernel_domains(seL4_CPtr tcb)
{
    seL4_Word d = 1;
    while (d < 256 && seL4_DomainSet_Set(seL4_CapDomain, (seL4_Uint8)d, tcb) == seL4_NoError) {
        d++;
    }
    seL4_DomainSet_Set(seL4_CapDomain, 0, tcb);
    return d;
}

static void restore_boot_schedule(void)
{
    seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, MAX_DURATION);
    seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 0);
    for (seL4_Word i = 1; seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, i, 0, 0) == seL4_NoError;
         i++) {
    }
}

KT_THREAD_TEST(test_configuration)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_Word domains = CONFIG_NUM_DOMAINS;
    KT_ASSERT_EQ(kernel_domains(tcb), domains);
    /* Entries 0..M-2 are configurable, the last is always an end marker. */
    seL4_Word schedules = CONFIG_NUM_DOMAIN_SCHEDULES;
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 999, 0, 1), seL4_RangeError, 0,
                    schedules - 2);
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 999), seL4_RangeError, 0,
                    schedules - 1);
}

KT_THREAD_TEST(test_set_errors)
{
    seL4_CPtr tcb = kt_env_object(seL4_TCBObject, 0);
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    seL4_Word domains = CONFIG_NUM_DOMAINS;
    seL4_Word mr = 0;
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(kt_call(seL4_CapDomain, DomainSetSet, &mr, 0, &tcb, 1)),
                 seL4_TruncatedMessage);
    KT_ASSERT_ERROR(seL4_DomainSet_Set(seL4_CapDomain, (seL4_Uint8)domains, tcb),
                    seL4_InvalidArgument, 0);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(kt_call(seL4_CapDomain, DomainSetSet, &mr, 1, NULL, 0)),
                 seL4_TruncatedMessage);
    KT_ASSERT_ERROR(seL4_DomainSet_Set(seL4_CapDomain, 0, ntfn), seL4_InvalidArgument, 1);
    KT_ASSERT_OK(seL4_DomainSet_Set(seL4_CapDomain, (seL4_Uint8)(domains - 1), tcb));
    /* A TCB cap refuses the method; the domain cap refuses other labels. */
    KT_ASSERT_ERROR(seL4_DomainSet_Set(tcb, 0, tcb), seL4_IllegalOperation);
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(kt_call(seL4_CapDomain, TCBSuspend, NULL, 0, NULL, 0)),
                 seL4_IllegalOperation);
}

KT_THREAD_TEST(test_schedule_errors)
{
    seL4_Word domains = CONFIG_NUM_DOMAINS;
    seL4_Word mrs[3] = { 0, 0, 1 };
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(
                     kt_call(seL4_CapDomain, DomainScheduleConfigure, mrs, 2, NULL, 0)),
                 seL4_TruncatedMessage);
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, (seL4_Uint8)domains, 1),
                    seL4_RangeError, 0, domains - 1);
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, MAX_DURATION + 1),
                    seL4_InvalidArgument, 2);
    /* The start entry cannot become an end marker. */
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 0), seL4_InvalidArgument,
                    2);
    if (domains > 1) {
        KT_ASSERT_ERROR(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 1, 0),
                        seL4_InvalidArgument, 1);
    }
    KT_ASSERT_EQ(seL4_MessageInfo_get_label(
                     kt_call(seL4_CapDomain, DomainScheduleSetStart, mrs, 0, NULL, 0)),
                 seL4_TruncatedMessage);
    /* Entry 1 is an end marker after boot. */
    KT_ASSERT_ERROR(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 1), seL4_InvalidArgument, 0);
    KT_ASSERT_OK(seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, 1000));
    KT_ASSERT_OK(seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 0));
    restore_boot_schedule();
}

/* --- several domains -------------------------------------------------------- */

static volatile seL4_Word spins_in_domain1;
static volatile bool stop_spinning;

static void spin_counting(seL4_Word arg)
{
    (void)arg;
    while (!stop_spinning) {
        spins_in_domain1++;
    }
}

/* Spin (at most `limit` rounds) until `*counter` moves; its last value. */
static seL4_Word spin_until_moved(volatile seL4_Word *counter, seL4_Word limit)
{
    seL4_Word start = *counter;
    for (volatile seL4_Word i = 0; i < limit && *counter == start; i++) {
    }
    return *counter;
}

#define SPIN_LIMIT 50000000ul

/* Two domains taking turns, `ticks` each. */
static void alternate_domains(seL4_Word ticks)
{
    seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 0, 0, ticks);
    seL4_DomainSet_ScheduleConfigure(seL4_CapDomain, 1, 1, ticks);
    seL4_DomainSet_ScheduleSetStart(seL4_CapDomain, 0);
}

/* A runnable thread of domain 1, above the root task, never runs while
 * only domain 0 is scheduled; once the schedule alternates it runs in
 * domain 1's slots and the root task still runs in domain 0's. */
KT_THREAD_TEST(test_other_domain_waits_for_its_slot)
{
    if (CONFIG_NUM_DOMAINS < 2) {
        KT_SKIP("the kernel has one domain");
    }
    spins_in_domain1 = 0;
    stop_spinning = false;
    kt_thread_t *t = kt_thread_create(spin_counting, 0, KT_PRIO_HIGH, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_DomainSet_Set(seL4_CapDomain, 1, t->tcb));
    kt_thread_start(t);
    KT_ASSERT_EQ(spin_until_moved(&spins_in_domain1, SPIN_LIMIT / 10), 0);
    alternate_domains(2);
    KT_ASSERT_NE(spin_until_moved(&spins_in_domain1, SPIN_LIMIT), 0);
    /* The root task keeps running between the thread's slots. */
    seL4_Word seen = spins_in_domain1;
    KT_ASSERT_NE(spin_until_moved(&spins_in_domain1, SPIN_LIMIT), seen);
    stop_spinning = true;
    restore_boot_schedule();
    KT_ASSERT_EQ(spin_until_moved(&spins_in_domain1, SPIN_LIMIT), spins_in_domain1);
}

/* A thread of domain 1 woken by a Signal does not run at once, whatever
 * its priority: it waits in its domain's queue. */
static volatile int woken;

static void wait_then_mark(seL4_Word ntfn)
{
    seL4_Wait(ntfn, NULL);
    woken = 1;
}

static volatile seL4_Word idle_spins;

/* Keeps domain 0 busy below the root task, so the watchdog does not take a
 * wait for another domain's slot for a deadlock. */
static void busy_below_root(seL4_Word arg)
{
    (void)arg;
    while (!stop_spinning) {
        idle_spins++;
    }
}

KT_THREAD_TEST(test_signal_to_other_domain_waits)
{
    if (CONFIG_NUM_DOMAINS < 2) {
        KT_SKIP("the kernel has one domain");
    }
    woken = 0;
    stop_spinning = false;
    seL4_CPtr ntfn = kt_env_object(seL4_NotificationObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *t = kt_thread_spawn(wait_then_mark, ntfn, KT_PRIO_HIGH, 0);
    kt_thread_spawn(busy_below_root, 0, KT_PRIO_WATCHDOG + 1, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_DomainSet_Set(seL4_CapDomain, 1, t->tcb)); /* blocked: no queue */
    seL4_Signal(ntfn);
    KT_ASSERT_EQ(woken, 0);
    alternate_domains(2);
    for (seL4_Word i = 0; i < SPIN_LIMIT / 10 && !woken; i++) {
        seL4_Yield();
    }
    KT_ASSERT_EQ(woken, 1);
    stop_spinning = true;
    restore_boot_schedule();
}

/* A Call to a server of another domain waits for the server's slot (the
 * fastpath must not switch across domains): domain 0's other thread runs
 * in between. */
static seL4_CPtr domain_ep;

static void serve_forever(seL4_Word arg)
{
    (void)arg;
    seL4_Recv(domain_ep, NULL);
    for (;;) {
        seL4_ReplyRecv(domain_ep, seL4_MessageInfo_new(0, 0, 0, 0), NULL);
    }
}

KT_THREAD_TEST(test_call_across_domains)
{
    if (CONFIG_NUM_DOMAINS < 2) {
        KT_SKIP("the kernel has one domain");
    }
    stop_spinning = false;
    idle_spins = 0;
    domain_ep = kt_env_object(seL4_EndpointObject, 0);
    KT_RETURN_IF_FAILED();
    kt_thread_t *server = kt_thread_spawn(serve_forever, 0, KT_PRIO_HIGH, 0);
    kt_thread_spawn(busy_below_root, 0, KT_PRIO_WATCHDOG + 1, 0);
    KT_RETURN_IF_FAILED();
    KT_ASSERT_OK(seL4_DomainSet_Set(seL4_CapDomain, 1, server->tcb));
    alternate_domains(2);
    for (int i = 0; i < 3; i++) {
        seL4_Call(domain_ep, seL4_MessageInfo_new(0, 0, 0, 0));
    }
    /* Each Call waited for a domain-1 slot, and domain 0's busy thread ran
     * for the rest of the caller's slot. */
    KT_ASSERT_NE(idle_spins, 0);
    stop_spinning = true;
    restore_boot_schedule();
}

const ktest_case_t ktest_domain_cases[] = {
    { "domain.configuration", test_configuration },
    { "domain.set_errors", test_set_errors },
    { "domain.schedule_errors", test_schedule_errors },
    { "domain.other_domain_waits_for_its_slot", test_other_domain_waits_for_its_slot },
    { "domain.signal_to_other_domain_waits", test_signal_to_other_domain_waits },
    { "domain.call_across_domains", test_call_across_domains },
    { NULL, NULL },
};
