/* vmtest's main: names the root thread and runs the virtual-memory tables
 * with ktest's runner. */
#include "../ktest/runner.h"
#include "vmtest.h"

static const ktest_case_t *const tables[] = {
    vt_map_cases, vt_cache_cases, vt_asid_cases, vt_fault_cases, vt_switch_cases,
};

int main(void)
{
    seL4_DebugNameThread(seL4_CapInitThreadTCB, "vmtest");
    ktest_run_all(tables, sizeof(tables) / sizeof(tables[0]));
    seL4_DebugHalt();
    return 0;
}
