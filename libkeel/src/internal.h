/* Declarations shared between libkeel's own sources, not part of its interface. */
#pragma once

#include <keel/types.h>

/* The BootInfo pointer crt0 received; set once by keel_start(). */
extern seL4_BootInfo *keel_bootinfo_pointer;

/* The C entry point crt0.S jumps to, with the BootInfo pointer from x0. */
void keel_start(seL4_BootInfo *bi) __attribute__((noreturn));
