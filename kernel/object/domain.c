/* The domain cap (ABI 5.4.5, manual "Domains"): a thread's domain and the
 * domain schedule (core/domain_schedule.c). With one domain the schedule
 * has no effect on scheduling, but the methods check and record their
 * arguments exactly as specified. */
#include <config.h>
#include <domain_schedule.h>
#include <keel/gen/abi.h>
#include <object/domain.h>
#include <object/tcb.h>
#include <thread.h>

/* The last entry is never configurable: it stays an end marker. */
#define CONFIGURABLE_ENTRIES (CONFIG_NUM_DOMAIN_SCHEDULES - 1)

static exception_t decode_set(invocation_t *inv, word_t *domain, tcb_t **thread)
{
    if (inv->length < KEEL_LEN_DomainSetSet) {
        return error_truncated_message(inv);
    }
    *domain = inv_mr(inv, KEEL_MR_DomainSetSet_domain);
    if (*domain >= CONFIG_NUM_DOMAINS) {
        return error_invalid_argument(inv, 0);
    }
    if (inv->extra_count < 1) {
        return error_truncated_message(inv);
    }
    cap_t tcb = inv_extra_cap(inv, KEEL_CAP_DomainSetSet_thread);
    if (cap_type(tcb) != cap_tcb) {
        return error_invalid_argument(inv, 1);
    }
    *thread = tcb_from_cap(tcb);
    return EXCEPTION_NONE;
}

typedef struct schedule_entry_args {
    word_t index, domain, duration;
} schedule_entry_args_t;

static exception_t decode_schedule_configure(invocation_t *inv, schedule_entry_args_t *a)
{
    if (inv->length < KEEL_LEN_DomainScheduleConfigure) {
        return error_truncated_message(inv);
    }
    a->index = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_index);
    a->domain = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_domain);
    a->duration = inv_mr(inv, KEEL_MR_DomainScheduleConfigure_duration);
    if (a->index >= CONFIGURABLE_ENTRIES) {
        return error_range(inv, 0, CONFIGURABLE_ENTRIES - 1);
    }
    if (a->domain >= CONFIG_NUM_DOMAINS) {
        return error_range(inv, 0, CONFIG_NUM_DOMAINS - 1);
    }
    if (a->duration > DOMAIN_MAX_DURATION) {
        return error_invalid_argument(inv, 2);
    }
    if (a->duration == 0 && a->domain != 0) {
        return error_invalid_argument(inv, 1);
    }
    if (a->index == domain_schedule_start() && a->duration == 0) {
        return error_invalid_argument(inv, 2);
    }
    return EXCEPTION_NONE;
}

static exception_t decode_schedule_set_start(invocation_t *inv, word_t *index)
{
    if (inv->length < KEEL_LEN_DomainScheduleSetStart) {
        return error_truncated_message(inv);
    }
    *index = inv_mr(inv, KEEL_MR_DomainScheduleSetStart_index);
    if (*index >= CONFIG_NUM_DOMAIN_SCHEDULES) {
        return error_range(inv, 0, CONFIG_NUM_DOMAIN_SCHEDULES - 1);
    }
    if (domain_schedule_is_end(*index)) {
        return error_invalid_argument(inv, 0);
    }
    return EXCEPTION_NONE;
}

exception_t decode_domain_invocation(invocation_t *inv)
{
    exception_t status;
    switch (inv->label) {
    case DomainSetSet: {
        word_t domain;
        tcb_t *thread;
        status = decode_set(inv, &domain, &thread);
        if (status == EXCEPTION_NONE) {
            thread_set_domain(thread, domain);
        }
        return status;
    }
    case DomainScheduleConfigure: {
        schedule_entry_args_t a;
        status = decode_schedule_configure(inv, &a);
        if (status == EXCEPTION_NONE) {
            domain_schedule_configure(a.index, a.domain, a.duration);
        }
        return status;
    }
    case DomainScheduleSetStart: {
        word_t index;
        status = decode_schedule_set_start(inv, &index);
        if (status == EXCEPTION_NONE) {
            domain_schedule_set_start(index);
        }
        return status;
    }
    default:
        return error_illegal_operation(inv);
    }
}
