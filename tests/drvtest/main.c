/* drvtest's main: lowers its own priority below the drivers', takes the
 * device frames, runs the test tables and halts. */
#include "../ktest/runner.h"
#include "drvtest.h"
#include <keel/printf.h>

static const ktest_case_t *const tables[] = {
    drv_irq_cases,
    drv_driver_cases,
};

int main(void)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "drvtest");
    seL4_TCB_SetPriority(seL4_CapInitThreadTCB, seL4_CapInitThreadTCB, DRV_PRIO_ROOT);
    if (!drv_setup()) {
        printf("TEST FAIL drvtest.setup: no RAM untyped or device frames\n");
        printf("TEST DONE\n");
        seL4_DebugHalt();
        return 1;
    }
    ktest_run_all(tables, sizeof(tables) / sizeof(tables[0]));
    seL4_DebugHalt();
    return 0;
}
