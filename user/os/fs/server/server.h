/* The ext2 server (main.c: the loop and the disk; ops.c: vfs's requests,
 * ops.h). */
#pragma once

#include "ops.h"

#include <keel/os/blkclient.h>
#include <keel/os/channel.h>

typedef struct server {
    keel_blk_client_t disk;
    keel_channel_end_t vfs;
    uint32_t vfs_epoch;
} server_t;

extern server_t srv;
