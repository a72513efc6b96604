/* The root-task runtime: what crt0 hands to main() (docs/libkeel.md). crt0 sets
 * up the stack, .bss, TLS and the IPC buffer, then calls main(); when main
 * returns it prints "root task exited with status N" and halts the system. */
#pragma once

#include <keel/types.h>
#include <stddef.h>

/* Every root task defines it. */
int main(void);

/* The BootInfo the kernel passed in x0 (ABI 9.3, 9.5). */
seL4_BootInfo *keel_bootinfo(void);

/* Payload of the first extra-BootInfo chunk with this id (after its header),
 * and its length in *len; NULL if there is none or the chunk list is corrupt. */
const void *keel_extra_bootinfo_chunk(seL4_Word id, size_t *len);

/* The device tree blob from the extra BootInfo and its size; NULL if absent. */
const void *keel_dtb(size_t *size);

/* /chosen/bootargs of the device tree (QEMU: -append), or "" if absent. */
const char *keel_bootargs(void);

/* Value of the boot argument `key=value` (space-separated words): a pointer into
 * the boot arguments and its length in *len; NULL if the key is not given. */
const char *keel_bootarg(const char *key, size_t *len);
