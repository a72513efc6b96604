/* The ext2 server (main.c: the loop and the disk; ops.c: vfs's requests). */
#pragma once

#include "../ext2/ext2.h"

#include <keel/os/blkclient.h>
#include <keel/os/channel.h>
#include <keel/os/fs.h>

#define OPEN_MAX 256 /* inodes vfs holds open at once */

typedef struct open_inode {
    uint32_t ino;
    uint32_t count; /* vfs's open files naming it */
} open_inode_t;

typedef struct server {
    ext2_fs_t fs;
    keel_blk_client_t disk;
    keel_channel_end_t vfs;
    uint32_t vfs_epoch;
    unsigned char *region; /* the vfs channel's region (keel/os/fs.h places) */
    open_inode_t open[OPEN_MAX];
} server_t;

extern server_t srv;

/* Serve the request in the region: its reply in *reply. */
void fs_serve(keel_fs_reply_t *reply);
