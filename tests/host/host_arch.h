/* What the host tests need to know of the port they are built against:
 * tests/host/stubarch (the generic kernel's host tests) or the AArch64 port
 * with tests/host/aarch64 (the port's). One implementation each:
 * tests/host/stubarch/host_arch.c, tests/host/aarch64/host_arch.c. */
#pragma once

#include "cspace_model.h"

#include <cap.h>

/* Does the port implement the ABI's frame, page-table and VSpace objects
 * (then test_cspace_model retypes and invokes them)? */
extern const bool host_arch_has_objects;

/* An unmapped 4 KiB frame cap (a thread's IPC buffer). */
cap_t host_arch_frame_cap(paddr_t base, enum vm_rights rights, bool device);

/* The kernel's cap type of the model's frame, page-table and VSpace caps,
 * and whether a kernel cap of it says what the model cap says (the port's
 * fields; the address is compared by the caller). */
word_t host_arch_cap_type(enum m_type type);
bool host_arch_cap_matches(const m_cap_t *c, cap_t k);
