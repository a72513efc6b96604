/* Deleting and revoking capabilities (manual "Deletion and Revocation").
 *
 * Deleting the last cap to an object finalises the object. CNodes and TCBs
 * hold caps themselves, so their destruction must empty their slots, which
 * may destroy further CNodes: to keep the kernel stack bounded, the cap of
 * an object being destroyed becomes a zombie that counts the slots still to
 * empty, and a zombie met inside another one's slots is parked in that
 * object's first slot (a "cyclic" zombie) and finished from there. Progress
 * lives in the zombies, so the work can stop at any preemption point and the
 * system call simply runs again. */
#pragma once

#include <invocation.h>

/* Delete the cap in `slot`. `exposed` is true when the slot is reachable by
 * user level (an invocation's target) and must end empty; false inside a
 * zombie's slots, where a parked zombie may stay. May be preempted. */
exception_t cte_delete(cte_t *slot, bool exposed);

/* Delete every descendant of the cap in `slot` (not the cap itself). May be
 * preempted. */
exception_t cte_revoke(cte_t *slot);

/* Delete a cap that cannot need finalisation work with slots (no CNode or
 * TCB cap), e.g. a reply cap. Never preempted. */
void cte_delete_one(cte_t *slot);
