/* A protocol as data, for the dispatch test (test_proto_dispatch.c):
 * genproto.py --tables writes, for each protocol, its methods and their
 * arguments as these tables, and handlers that report each call to
 * proto_table_called() (defined by the test) with the arguments they got. */
#pragma once

#include <keel/os/proto.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proto_table_kind {
    PROTO_TABLE_I64,
    PROTO_TABLE_U64,
    PROTO_TABLE_NAME,
    PROTO_TABLE_STR,
    PROTO_TABLE_BUFFER,
};

typedef struct proto_table_param {
    enum proto_table_kind kind;
    int mr;      /* first message register */
    uint64_t lo; /* value range (an int64_t for PROTO_TABLE_I64) or length range */
    uint64_t hi;
    uint64_t mask; /* allowed bits, when has_mask */
    bool has_mask;
} proto_table_param_t;

#define PROTO_TABLE_OUTS_MAX 16

typedef struct proto_table_method {
    const char *name;
    uint64_t label;
    uint64_t request_words;
    uint64_t reply_words;
    bool privileged;
    size_t nparams;
    const proto_table_param_t *params;
    size_t nouts;
    bool out_is_name[PROTO_TABLE_OUTS_MAX];
} proto_table_method_t;

typedef struct proto_table {
    const char *name;
    bool (*dispatch)(const keel_proto_request_t *req, seL4_MessageInfo_t info,
                     seL4_MessageInfo_t *reply);
    size_t nmethods;
    const proto_table_method_t *methods;
} proto_table_t;

/* What a handler got for one argument. */
typedef struct proto_table_arg {
    uint64_t value;      /* scalars */
    const char *text;    /* names and strings */
    const void *pointer; /* buffers */
    size_t length;
} proto_table_arg_t;

/* Called by every generated handler: its method, its arguments in order,
 * and whether its results were all zero on entry. Returns the handler's
 * result. */
long proto_table_called(void *ctx, seL4_Word badge, const proto_table_method_t *method,
                        const proto_table_arg_t *args, bool outs_zeroed);

/* The values handlers give their results: scalar i, name i. */
uint64_t proto_table_out_value(size_t i);
void proto_table_out_name(size_t i, char name[KEEL_PROTO_NAME_BYTES]);
bool proto_table_name_zero(const char name[KEEL_PROTO_NAME_BYTES]);
