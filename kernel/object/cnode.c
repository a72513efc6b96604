/* CNode slots and the derivation tree: inserting a new cap. */
#include <object/cnode.h>
#include <panic.h>

void cte_insert(cap_t cap, cte_t *parent, cte_t *dest)
{
    kassert(cap_is_null(dest->cap));
    dest->cap = cap;
    dest->mdb = (mdb_node_t){ { 0, 0 } };
    if (parent == NULL) {
        mdb_set_revocable(dest, true); /* a root of the derivation tree */
        return;
    }
    cte_t *next = mdb_next(parent);
    mdb_set_prev(dest, parent);
    mdb_set_next(dest, next);
    if (next != NULL) {
        mdb_set_prev(next, dest);
    }
    mdb_set_next(parent, dest);
}
