/* Linked first (drvtest.mk lists it first), so this is the first input
 * section of .data and the page it starts is the first page of the image's
 * writable segment: the spawner shares the pages below it with drivers
 * read-only and gives each driver private copies from it on. drvtest.mk
 * checks the address against the ELF program headers after linking. */
#include "drvtest.h"

__attribute__((section(".data"), aligned(4096), used)) char drvtest_data_start[16] = { 1 };
