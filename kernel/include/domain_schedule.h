/* The domain schedule (manual "Domains"): a table of entries, each a
 * domain and a duration in kernel ticks, that the scheduler walks from the
 * start index; an entry of duration 0 (domain 0) marks the end, after which
 * the walk goes back to the start. At boot entry 0 is (domain 0, maximum
 * duration) and every other entry is an end marker. With one domain the
 * domain time is never counted down: the table is kept but has no effect. */
#pragma once

#include <config.h>
#include <types.h>

#define DOMAIN_MAX_DURATION (BIT(56) - 1)

/* Ticks left in the current entry; 0 makes the scheduler move on. */
extern word_t ks_domain_time;

bool domain_schedule_is_end(word_t index);
word_t domain_schedule_start(void);

/* DomainSet_ScheduleConfigure's effect: entry `index` := (domain, duration).
 * An active entry keeps running until it ends. */
void domain_schedule_configure(word_t index, word_t domain, word_t duration);

/* DomainSet_ScheduleSetStart's effect: the walk restarts at `index` at the
 * end of this kernel entry, ending what is left of the current entry. */
void domain_schedule_set_start(word_t index);

/* The scheduler's step to the next entry (its domain becomes current). */
void domain_schedule_next(void);

/* The domain of the entry the schedule starts in (initThreadDomain). */
word_t domain_schedule_first_domain(void);
