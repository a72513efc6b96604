/* The IPC fastpath: Call and ReplyRecv in their most common form, straight
 * from the trap to the partner thread. It checks every precondition of that
 * case and otherwise hands over to the full system-call path, so it can
 * never give a result the slow path would not (STYLE 7). */
#pragma once

#include <types.h>

/* Try the fastpath for the current thread's svc; returns only if it does not
 * apply (the caller then takes the slow path). */
void fastpath_call(void);
void fastpath_reply_recv(void);
