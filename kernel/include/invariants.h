/* Debug-build consistency check of the capability system: a violation is a
 * broken kernel invariant, so it panics with a description. Run by the
 * DebugSnapshot system call, so tests can check after any operation. */
#pragma once

void invariants_check(void);
