/* Endpoints: the queue of blocked threads. (Message transfer arrives with
 * endpoint IPC; until then no thread can be queued, but deletion already
 * follows the rules.) */
#include <object/endpoint.h>
#include <thread.h>

void endpoint_cancel_all(endpoint_t *ep)
{
    word_t head = ep->head;
    ep->head = 0;
    ep->tail = 0;
    thread_queue_restart_all(head);
    sched_request_reschedule();
}
