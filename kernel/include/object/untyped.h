/* Untyped memory: the only source of kernel objects (Retype). */
#pragma once

#include <invocation.h>

exception_t decode_untyped_invocation(invocation_t *inv);
