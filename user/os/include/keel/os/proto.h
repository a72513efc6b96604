/* What the code genproto.py generates for every protocol (proto/NAME.proto,
 * docs/os.md "Protocols") relies on: the request a server hands to a
 * dispatch function, the checks of message length and data-window buffers,
 * names packed in message registers, and the reply convention (label 0,
 * MR0 = result: >= 0 success, < 0 a negated errno). */
#pragma once

#include <keel/ipcbuf.h>
#include <keel/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A `name` argument or result: up to 31 bytes and a NUL, in 4 MRs. */
#define KEEL_PROTO_NAME_BYTES 32
#define KEEL_PROTO_NAME_WORDS 4

/* A handler's result meaning "no reply now": the server saved the caller's
 * reply capability and answers later with the method's _reply() builder. */
#define KEEL_PROTO_DEFERRED INT64_MIN

/* Results below -KEEL_PROTO_ERRNO_MAX are not errnos: a client reads them as
 * a broken reply (-EIO). */
#define KEEL_PROTO_ERRNO_MAX 4095

/* The error a client stub returns for a malformed reply (EIO, in every C
 * library the OS uses; a literal so that this header needs no <errno.h>). */
#define KEEL_PROTO_EIO 5

/* One request, as the server sees it. */
typedef struct keel_proto_request {
    void *ctx;             /* the server's own state, passed to the handler */
    seL4_Word badge;       /* who called (the badge of the endpoint capability) */
    unsigned char *window; /* the caller's data window as the server maps it, or NULL */
    size_t window_size;    /* its size in bytes (0 if none) */
    bool privileged;       /* the caller may use the methods marked `privileged` */
} keel_proto_request_t;

/* The request has exactly `words` message registers and no capability. */
static inline bool keel_proto_request_ok(seL4_MessageInfo_t info, uint64_t words)
{
    return seL4_MessageInfo_get_length(info) == words &&
           seL4_MessageInfo_get_extraCaps(info) == 0 &&
           seL4_MessageInfo_get_capsUnwrapped(info) == 0;
}

/* A buffer (offset, length) lies inside the caller's window and its length
 * is in [min, max]. Written so that no sum can overflow. */
static inline bool keel_proto_window_ok(const keel_proto_request_t *req, uint64_t offset,
                                        uint64_t length, uint64_t min, uint64_t max)
{
    return length >= min && length <= max && offset <= req->window_size &&
           length <= req->window_size - offset;
}

/* The server's address of a checked offset (NULL when there is no window). */
static inline void *keel_proto_window_at(const keel_proto_request_t *req, uint64_t offset)
{
    return req->window == NULL ? NULL : req->window + offset;
}

/* Copy a checked string buffer into `out` (length + 1 bytes) and terminate
 * it; false if it holds a NUL. The copy is made first and checked after, so
 * a client that changes its window meanwhile changes nothing the server
 * uses. */
static inline bool keel_proto_copy_str(const keel_proto_request_t *req, uint64_t offset,
                                       uint64_t length, char *out)
{
    const volatile unsigned char *from = keel_proto_window_at(req, offset);
    for (uint64_t i = 0; i < length; i++) {
        out[i] = (char)from[i];
    }
    out[length] = '\0';
    for (uint64_t i = 0; i < length; i++) {
        if (out[i] == '\0') {
            return false;
        }
    }
    return true;
}

/* Pack a name (at most 31 bytes are sent; the rest is zero) into MRs
 * first..first+3. */
static inline void keel_proto_put_name(int first, const char *name)
{
    for (int w = 0; w < KEEL_PROTO_NAME_WORDS; w++) {
        seL4_Word word = 0;
        for (int b = 0; b < 8; b++) {
            int i = w * 8 + b;
            char c = (name != NULL && i < KEEL_PROTO_NAME_BYTES - 1) ? name[i] : '\0';
            if (c == '\0') {
                name = NULL; /* the rest is padding */
            }
            word |= (seL4_Word)(unsigned char)c << (8 * b);
        }
        seL4_SetMR(first + w, word);
    }
}

/* Unpack a name from MRs first..first+3 into out[KEEL_PROTO_NAME_BYTES];
 * false if it is not NUL-terminated. */
static inline bool keel_proto_get_name(int first, char *out)
{
    for (int w = 0; w < KEEL_PROTO_NAME_WORDS; w++) {
        seL4_Word word = seL4_GetMR(first + w);
        for (int b = 0; b < 8; b++) {
            out[w * 8 + b] = (char)(word >> (8 * b));
        }
    }
    for (int i = 0; i < KEEL_PROTO_NAME_BYTES; i++) {
        if (out[i] == '\0') {
            return true;
        }
    }
    out[KEEL_PROTO_NAME_BYTES - 1] = '\0';
    return false;
}

/* A reply of `words` MRs (the caller has set MR1.. already) with MR0 = result. */
static inline seL4_MessageInfo_t keel_proto_reply(long result, uint64_t words)
{
    seL4_SetMR(0, (seL4_Word)result);
    return seL4_MessageInfo_new(0, 0, 0, words);
}

/* A client's view of a reply: the result, or -EIO if the reply is not one
 * (a label, too short for its results, a result that is no errno). */
static inline long keel_proto_result(seL4_MessageInfo_t info, uint64_t words)
{
    if (seL4_MessageInfo_get_label(info) != 0 || seL4_MessageInfo_get_length(info) < 1) {
        return -KEEL_PROTO_EIO;
    }
    long result = (long)seL4_GetMR(0);
    if (result < -KEEL_PROTO_ERRNO_MAX ||
        (result >= 0 && seL4_MessageInfo_get_length(info) < words)) {
        return -KEEL_PROTO_EIO;
    }
    return result;
}
