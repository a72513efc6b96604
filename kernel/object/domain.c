/* The domain cap (ABI 5.4.5). Keel's configuration has one domain, so the
 * domain schedule has no effect on scheduling, but the methods check and
 * record their arguments exactly as specified. */
#include <config.h>
#include <keel/gen/abi.h>
#include <object/domain.h>
#include <object/tcb.h>

#define DOMAIN_SCHEDULE_LENGTH 2 /* CONFIG_NUM_DOMAIN_SCHEDULES */
#define MAX_DURATION (BIT(56) - 1)

typedef struct domain_entry {
    word_t domain;
    word_t duration; /* ticks; 0 marks the end of the schedule */
} domain_entry_t;

static domain_entry_t schedule[DOMAIN_SCHEDULE_LENGTH] = { { 0, MAX_DURATION }, { 0, 0 } };
static word_t schedule_start;

static exception_t decode_set(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_DomainSetSet) {
        return error_truncated_message(inv);
    }
    word_t domain = inv_mr(inv, KEEL_MR_DomainSetSet_domain);
    if (domain >= CONFIG_NUM_DOMAINS) {
        return error_invalid_argument(inv, 0);
    }
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t tcb = inv_extra_cap(inv, KEEL_CAP_DomainSetSet_thread);
    if (cap_type(tcb) != cap_tcb) {
        return error_invalid_argument(inv, 1);
    }
    tcb_from_cap(tcb)->domain = (uint8_t)domain;
    return EXCEPTION_NONE;
}

static exception_t decode_schedule_configure(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_DomainScheduleConfigure) {
        return error_truncated_message(inv);
    }
    word_t index = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_index);
    word_t domain = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_domain);
    word_t duration = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_duration);
    if (index >= DOMAIN_SCHEDULE_LENGTH - 1) {
        return error_range(inv, 0, DOMAIN_SCHEDULE_LENGTH - 2);
    }
    if (domain >= CONFIG_NUM_DOMAINS) {
        return error_range(inv, 0, CONFIG_NUM_DOMAINS - 1);
    }
    if (duration > MAX_DURATION) {
        return error_invalid_argument(inv, 2);
    }
    if (duration == 0 && domain != 0) {
        return error_invalid_argument(inv, 1);
    }
    if (index == schedule_start && duration == 0) {
        return error_invalid_argument(inv, 2);
    }
    schedule[index] = (domain_entry_t){ domain, duration };
    return EXCEPTION_NONE;
}

static exception_t decode_schedule_set_start(invocation_t *inv)
{
    if (inv->length < KEEL_LEN_DomainScheduleSetStart) {
        return error_truncated_message(inv);
    }
    word_t index = inv_mr(inv, KEEL_MR_DomainScheduleSetStart_index);
    if (index >= DOMAIN_SCHEDULE_LENGTH) {
        return error_range(inv, 0, DOMAIN_SCHEDULE_LENGTH - 1);
    }
    if (schedule[index].duration == 0) {
        return error_invalid_argument(inv, 0);
    }
    schedule_start = index; /* one domain: the switch changes nothing */
    return EXCEPTION_NONE;
}

exception_t decode_domain_invocation(invocation_t *inv)
{
    switch (inv->label) {
    case DomainSetSet:
        return decode_set(inv);
    case DomainScheduleConfigure:
        return decode_schedule_configure(inv);
    case DomainScheduleSetStart:
        return decode_schedule_set_start(inv);
    default:
        return error_illegal_operation(inv);
    }
}
