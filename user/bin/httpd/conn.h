/* One client of httpd: a non-blocking socket and a small state machine,
 * driven by the poll loop (httpd.c):
 *
 *   READING   the request's head arrives into a buffer, until its blank
 *             line (or the buffer is full: 400/414)
 *   SENDING   the response's head, then the file a chunk at a time, each
 *             read from the file when the socket can take more
 *   DRAINING  all sent and our side shut down: what the client still
 *             sends is read and dropped until it closes (or a short time
 *             passes), so that closing never resets the connection
 *             before the client has read the response.
 *
 * Each request is logged once, when its response ended or was cut
 * short: "httpd: PEER METHOD TARGET STATUS BYTES". */
#pragma once

#include "http.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

/* Bytes of the file read and sent at a time: a send's most on Keel (a
 * data window, KEEL_SOCK_DATA_SIZE), so one read and one send a chunk. */
#define CONN_CHUNK 32768
#define CONN_IDLE_US 30000000 /* READING or SENDING without progress */
#define CONN_DRAIN_US 2000000 /* DRAINING at most */
#define CONN_ROOT_MAX 512     /* the root's length, at most (httpd.c checks it) */

typedef enum conn_state { CONN_READING, CONN_SENDING, CONN_DRAINING } conn_state_t;

/* A connection's memory is what it needs between two turns: on Keel a
 * process has little (pm gives each 1 MiB), and 50 clients at once must
 * fit. The chunks of files go through one buffer for all (conn.c). */
typedef struct conn {
    int sock;
    int file; /* the file being sent, or -1 */
    conn_state_t state;
    const char *root;
    char peer[INET_ADDRSTRLEN];
    int64_t deadline_us; /* past it, the connection is closed */
    bool logged;
    int cut; /* why a response was cut short: the errno of the send that failed */

    /* READING: the request's head as it arrives; SENDING: the response's
     * head (and an error's page after it), its parse no longer needed */
    char buf[HTTP_REQUEST_MAX];
    size_t buf_length;
    size_t head_sent;
    http_request_t req;
    int status;
    size_t page_length;     /* an error's page, after its head */
    uint64_t body_length;   /* the file's bytes to send (none for HEAD) */
    uint64_t body_sent;     /* of them, those the socket took */
    uint64_t file_position; /* the file's offset: ahead of body_sent after a partial send */
} conn_t;

/* A client on socket sock (non-blocking) from peer, for files under
 * root; NULL if memory ran out. */
conn_t *conn_new(int sock, struct in_addr peer, const char *root, int64_t now_us);

/* The poll events the connection waits for. */
short conn_events(const conn_t *c);

/* Act on what poll reported (revents). False when the connection has
 * ended: then conn_free it. */
bool conn_ready(conn_t *c, short revents, int64_t now_us);

/* Whether the connection has waited too long. */
bool conn_expired(const conn_t *c, int64_t now_us);

/* Close the socket and the file, log a response cut short, free c. */
void conn_free(conn_t *c);
