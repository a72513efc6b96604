/* Creating and destroying kernel objects, dispatched on object or cap type.
 * Each object type's own file does the work; the port's types go to its
 * arch_ functions (arch.h). */
#pragma once

#include <cap.h>

/* Size of an object of `type` (seL4 object type number) as a power of two;
 * user_size is Retype's size_bits argument (used by Untyped and CNode). */
word_t object_size_bits(word_t type, word_t user_size);

/* Initialise a new object in zeroed memory at `base` and return its
 * original cap. `device` is set for objects from device untyped memory. */
cap_t object_create(word_t type, paddr_t base, word_t user_size, bool device);

/* What is left of a cap once its object's kernel dependencies are gone:
 * the null cap, or a zombie whose slots must still be emptied. */
typedef struct finalise_ret {
    cap_t remainder;
    irq_t irq; /* an IRQ whose handler must be cleared, or IRQ_NONE */
} finalise_ret_t;

/* Release what the kernel holds for the cap's object (when `final`, the cap
 * is the last one to it) or for this cap (mappings of frames). */
finalise_ret_t object_finalise(cap_t cap, bool final);

/* Does the object type exist in device memory (frames and untyped)? */
bool object_allowed_in_device_memory(word_t type);
