/* Starting a driver from a root task (the launcher's half of driver.h): a
 * thread in its own VSpace and CSpace holding exactly the capabilities its
 * spawn request names (docs/drivers.md has the table), and device frames
 * carved from the device untypeds of BootInfo.
 *
 * The driver's code is linked into the root task's image and runs at the
 * same virtual addresses: the text and read-only pages are mapped read-only
 * from the root task's own image frames; every page from data_start on
 * (.data, .tdata, .bss) is a fresh private copy, taken at spawn time. */
#pragma once

#include "driver.h"

/* Hands out n consecutive empty slots of the root CNode (0 on failure). */
typedef seL4_CPtr (*driver_slot_alloc_fn)(seL4_Word n);

typedef struct driver_spawn {
    const char *name;
    void (*main)(const driver_env_t *env);
    seL4_Word arg;
    seL4_Word priority;
    seL4_Word restarts;
    /* Where the objects come from; root slots for them. */
    seL4_CPtr untyped; /* RAM untyped in the root CNode */
    driver_slot_alloc_fn alloc_slots;
    const void *data_start; /* first page of the image's writable segment */
    /* The authority the driver gets (root-CNode cptrs; 0 = none). */
    seL4_CPtr endpoint;       /* copied with Receive right only */
    seL4_CPtr notification;   /* bound to the driver's TCB (the cap needs Receive) */
    seL4_CPtr irq_handler;    /* copied */
    seL4_CPtr device_frame;   /* a copy is mapped at DRIVER_DEVICE_VADDR, uncached */
    seL4_CPtr fault_endpoint; /* copied with Send + GrantReply; the TCB's fault handler */
} driver_spawn_t;

/* A running driver, as the root task sees it. */
typedef struct driver_process {
    seL4_CPtr tcb; /* root slots */
    seL4_CPtr cnode;
    seL4_CPtr vspace;
    seL4_CPtr first; /* every cap the spawn made lies in root slots [first, first + count) */
    seL4_Word count;
    seL4_Word used;
} driver_process_t;

/* Build and start the driver; 0 or the first seL4 error (progress so far is
 * in *proc, for driver_destroy). */
seL4_Word driver_spawn(const driver_spawn_t *spawn, driver_process_t *proc);

/* Stop the driver and delete every cap its spawn made (its objects stay
 * allocated in the untyped until that is revoked). */
void driver_destroy(driver_process_t *proc);

/* A 4 KiB frame cap for device page `paddr`, retyped from the device untyped
 * that covers it, in a slot from alloc; 0 if none. Frames below the wanted
 * one are retyped and deleted again, so device pages of one untyped must be
 * asked for in ascending address order. */
seL4_CPtr driver_device_frame(seL4_Word paddr, driver_slot_alloc_fn alloc);
