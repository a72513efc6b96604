/* Notifications: the parts deletion needs. (Signal, Wait and binding arrive
 * with notification IPC.) */
#include <object/notification.h>
#include <thread.h>

void notification_finalise(notification_t *ntfn)
{
    word_t head = ntfn->head;
    ntfn->head = 0;
    ntfn->tail = 0;
    thread_queue_restart_all(head);
    if (ntfn->bound_tcb != 0) {
        tcb_t *tcb = paddr_to_ptr(ntfn->bound_tcb);
        tcb->bound_notification = 0;
        ntfn->bound_tcb = 0;
    }
    sched_request_reschedule();
}
