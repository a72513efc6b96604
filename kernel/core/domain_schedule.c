/* The domain schedule: see domain_schedule.h. */
#include <domain_schedule.h>
#include <thread.h>

typedef struct domain_entry {
    word_t domain;
    word_t duration; /* ticks; 0 marks the end of the schedule */
} domain_entry_t;

static domain_entry_t schedule[CONFIG_NUM_DOMAIN_SCHEDULES] = { { 0, DOMAIN_MAX_DURATION } };
static word_t start_index;
static word_t current_index;
/* Set by ScheduleSetStart: the next step goes to the start index. */
static bool restart_pending;

word_t ks_domain_time = DOMAIN_MAX_DURATION;
#if CONFIG_NUM_DOMAINS > 1
word_t ks_cur_domain;
#endif

bool domain_schedule_is_end(word_t index)
{
    return schedule[index].duration == 0;
}

word_t domain_schedule_start(void)
{
    return start_index;
}

word_t domain_schedule_first_domain(void)
{
    return schedule[start_index].domain;
}

void domain_schedule_configure(word_t index, word_t domain, word_t duration)
{
    schedule[index] = (domain_entry_t){ domain, duration };
}

void domain_schedule_set_start(word_t index)
{
    start_index = index;
    restart_pending = true;
    ks_domain_time = 0;
    sched_request_reschedule();
}

void domain_schedule_next(void)
{
    word_t next = current_index + 1;
    if (restart_pending || next >= CONFIG_NUM_DOMAIN_SCHEDULES || domain_schedule_is_end(next)) {
        next = start_index;
    }
    restart_pending = false;
    current_index = next;
    ks_domain_time = schedule[next].duration;
#if CONFIG_NUM_DOMAINS > 1
    ks_cur_domain = schedule[next].domain;
#endif
}
