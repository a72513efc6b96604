/* CNode slots: placing a cap in an empty slot. */
#include <cdt.h>
#include <panic.h>

void cte_insert(cap_t cap, cte_t *parent, cte_t *dest)
{
    kassert(cap_is_null(dest->cap));
    if (parent != NULL) {
        cdt_insert_derived(cap, parent, dest);
        return;
    }
    cdt_insert_root(cap, dest);
}
