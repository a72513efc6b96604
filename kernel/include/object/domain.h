/* The domain cap's methods (ABI 5.4.5). */
#pragma once

#include <invocation.h>

exception_t decode_domain_invocation(invocation_t *inv);
