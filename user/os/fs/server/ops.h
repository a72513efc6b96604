/* The ext2 server's answers to vfs's requests (ops.c), apart from its loop,
 * its disk and its channels (main.c, server.h): what fs_serve needs is the
 * mounted file system, the channel's region and the inodes vfs holds open,
 * so the host builds ops.c as it is (make fuzz: tests/fuzz/fuzz_fsops.c). */
#pragma once

#include "../ext2/ext2.h"

#include <keel/os/fs.h>

#define OPEN_MAX 256 /* inodes vfs holds open at once */

typedef struct open_inode {
    uint32_t ino;
    uint32_t count; /* vfs's open files naming it */
} open_inode_t;

typedef struct fs_state {
    ext2_fs_t fs;
    unsigned char *region; /* the vfs channel's region (keel/os/fs.h places) */
    open_inode_t open[OPEN_MAX];
} fs_state_t;

extern fs_state_t fs_state;

/* Serve the request in the region: its reply in *reply. */
void fs_serve(keel_fs_reply_t *reply);
