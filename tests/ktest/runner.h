/* The ktest runner's entry point (framework.c), called by main. */
#pragma once

#include "ktest.h"

/* Run the tests of `tables` (or the one selected by test=<name>), print a
 * result line for each and "TEST DONE". Returns the number of failures. */
int ktest_run_all(const ktest_case_t *const *tables, size_t ntables);
