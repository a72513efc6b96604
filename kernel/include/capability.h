/* Properties of capabilities that the derivation tree and the CNode methods
 * rely on: which object a cap names, how caps are derived, badged, masked
 * (ABI 2.2-2.4, 5.6; manual "Capability Derivation Tree"). Pure functions of
 * their arguments. */
#pragma once

#include <cap.h>

/* Size of the object or memory region the cap names, as a power of two;
 * 0 for caps that name no memory (IRQ control, domain, ...). */
unsigned cap_object_size_bits(cap_t cap);

/* Does `a` name a region that contains what `b` names? (An untyped contains
 * everything retyped from it; IRQ control "contains" every IRQ handler.) */
bool cap_same_region_as(cap_t a, cap_t b);

/* Do `a` and `b` name the same object? (Never true for untyped: copies of
 * an untyped are its children, not equals.) */
bool cap_same_object_as(cap_t a, cap_t b);

/* Is a cap `derived` from `source` an original (revocable) cap? */
bool cap_is_revocable(cap_t derived, cap_t source);

/* Rights masking by a seL4_CapRights word (ABI 2.2). */
cap_t cap_mask_rights(cap_t cap, word_t rights);

/* VM rights (VM_READ_WRITE, ...) masked by a seL4_CapRights word: the
 * rule for frames of every architecture (the port's arch_mask_cap_rights
 * applies it). */
word_t vm_rights_mask(word_t vm_rights, word_t rights);

/* Apply badge or guard data (ABI 2.3, 2.4). `preserve` is true for Mutate and
 * Rotate. The result is the null cap where the ABI makes the operation fail. */
cap_t cap_update_data(cap_t cap, bool preserve, word_t data);
