/* vfs (docs/os.md "vfs"): the file system server. Everything lives in
 * static tables of fixed size (the limits below), so no request can make
 * vfs allocate without bound: a full table is -ENOSPC, -EMFILE or -ENFILE.
 *
 * - nodes: the tree (directories, regular files, devices); a regular file's
 *   bytes are blocks of a shared pool, or, under /bin, the archive's pages.
 * - open files: what a descriptor names (a node or a pipe end), with the
 *   offset dup/dup2/spawn share; counted references.
 * - processes: per pid (the badge), 64 descriptors, a directory, a window.
 * - pipes: a ring buffer, counts of read and write open files.
 * - waiters: requests answered later, each with its saved reply capability
 *   in a CNode slot of its own. */
#pragma once

#include <keel/os/fs.h>
#include <keel/os/start.h>
#include <keel/os/startinfo.h>
#include <keel/proto/vfs_server.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODE_MAX 256     /* files, directories and devices together */
#define NODE_NAME_MAX 63 /* bytes of one path component */
#define BLOCK_SIZE 1024  /* a regular file's storage unit */
#define BLOCK_COUNT 1024 /* the pool: 1 MiB for every file */
#define FILE_BLOCKS 64   /* a file holds at most FILE_MAX bytes */
#define FILE_MAX (FILE_BLOCKS * BLOCK_SIZE)
#define OFILE_MAX 256 /* open files of all processes */
#define PROC_MAX 64   /* processes vfs knows at once */
#define FD_COUNT (VFS_FD_MAX + 1)
#define PIPE_MAX 32
#define PIPE_SIZE 4096  /* bytes a pipe buffers */
#define PIPE_ATOMIC 512 /* writes this small go whole: picolibc's PIPE_BUF */
#define WAITER_MAX 32   /* requests waiting for a pipe or the console */
#define REPLY_SLOT_FIRST ((1u << KEEL_CNODE_BITS) - WAITER_MAX) /* their reply caps */

enum node_type { NODE_FREE = 0, NODE_DIR, NODE_REG, NODE_DEV };
enum dev_kind { DEV_CONSOLE = 1, DEV_NULL, DEV_ZERO };

typedef struct node {
    uint8_t type;    /* enum node_type */
    uint8_t dev;     /* enum dev_kind for NODE_DEV */
    bool fixed;      /* /bin, /dev and what they hold: no rename, unlink, create */
    bool linked;     /* still in its directory (else freed when refs is 0) */
    uint16_t parent; /* directory index (the root is its own parent) */
    uint16_t mode;   /* permission bits */
    uint32_t refs;   /* open files and working directories naming it */
    char name[NODE_NAME_MAX + 1];
    uint64_t size;
    const unsigned char *rodata; /* a /bin file: its bytes in the archive */
    int16_t block[FILE_BLOCKS];  /* -1: a hole, reads as zeros */
} node_t;

/* OF_DISK: an inode of the disk (disk.c), held open at the ext2 server.
 * OF_SOCKET: a socket of the net server (sock.c): index is its id there,
 * ino the epoch of the net server instance that made it. */
enum ofile_kind { OF_FREE = 0, OF_NODE, OF_PIPE_READ, OF_PIPE_WRITE, OF_DISK, OF_SOCKET };

typedef struct ofile {
    uint8_t kind;      /* enum ofile_kind */
    bool dir;          /* OF_DISK: a directory */
    uint8_t sock_type; /* OF_SOCKET: VFS_SOCK_STREAM, _DGRAM or _ICMP */
    uint32_t refs;     /* descriptors naming it */
    uint16_t index;    /* node or pipe */
    uint32_t ino;      /* OF_DISK */
    uint64_t flags;    /* VFS_O_* */
    uint64_t offset;
} ofile_t;

typedef struct pipe {
    bool used;
    uint32_t readers, writers; /* open files of each end */
    uint32_t head, count;      /* ring of PIPE_SIZE bytes */
    unsigned char data[PIPE_SIZE];
} pipe_t;

typedef struct proc {
    int64_t pid;                 /* 0: a free entry */
    int16_t fd[FD_COUNT];        /* open file index, -1 closed */
    uint16_t cwd;                /* with the disk: the root (cwd_path rules) */
    char cwd_path[VFS_PATH_MAX]; /* with the disk: the working directory */
    unsigned char *window;
    size_t window_size;
} proc_t;

/* WAIT_NET: a request at the net server (sock.c), answered when its
 * completion comes; WAIT_POLL: a poll (poll.c), answered when a
 * descriptor is ready or at its deadline. */
enum wait_kind {
    WAIT_PIPE_READ = 1,
    WAIT_PIPE_WRITE,
    WAIT_CONSOLE_READ,
    WAIT_CONSOLE_WRITE,
    WAIT_NET,
    WAIT_POLL
};

typedef struct waiter {
    uint8_t kind; /* enum wait_kind */
    uint8_t slot; /* its reply capability: REPLY_SLOT_FIRST + slot */
    uint16_t ofile;
    int64_t pid;
    unsigned char *buf; /* into the waiting process's window */
    size_t length;
    /* WAIT_NET: the request's slot, the vfs method that asked, the
     * request's flags and, for a stream's send in parts, the bytes sent */
    uint8_t net_slot;
    uint16_t method;
    uint32_t net_sock; /* the socket asked about (its open file may close meanwhile) */
    uint8_t sock_type; /* SOCKET: the type asked for; a send: its socket's */
    uint32_t net_flags;
    uint32_t fd_flags; /* a new socket's descriptor's (O_NONBLOCK) */
    size_t done;
    uint64_t deadline; /* WAIT_POLL: the counter value it ends at; 0: none */
} waiter_t;

/* tree.c */
extern node_t nodes[NODE_MAX];
#define ROOT_NODE 0
void tree_init(const keel_startcap_t *bin);
long tree_lookup(uint16_t cwd, const char *path, uint16_t *out);
long tree_lookup_parent(uint16_t cwd, const char *path, uint16_t *dir, const char **last);
long tree_find_child(uint16_t dir, const char *name, size_t len);
long tree_new(uint16_t dir, const char *name, uint8_t type, uint16_t mode);
void tree_ref(uint16_t n);
void tree_unref(uint16_t n);
long tree_read(node_t *n, uint64_t offset, void *buf, size_t length);
/* Does the tree's /bin hold the boot archive's programs (a files grant
 * "bin")? Then /bin is the tree's even with a disk. */
bool tree_holds_bin(void);
long tree_write(node_t *n, uint64_t offset, const void *buf, size_t length);
long tree_truncate(node_t *n, uint64_t size);
/* The tree's pool: its block size, blocks, free blocks, nodes, free nodes. */
void tree_statfs(uint64_t *bsize, uint64_t *blocks, uint64_t *bfree, uint64_t *files,
                 uint64_t *ffree);
long tree_path(uint16_t n, char *out, size_t size);
bool tree_is_ancestor(uint16_t a, uint16_t n);
bool tree_dir_empty(uint16_t dir);

/* locks.c: pid's record locks on the file of `o` go (a close). */
void locks_release(int64_t pid, const ofile_t *o);

/* main.c */
proc_t *proc_find(seL4_Word badge);
/* A handler's first line: the calling process `p` (the handler's `badge`
 * names it), or -ESRCH for a pid vfs does not know. */
#define CALLER(p)                                                                                  \
    proc_t *p = proc_find(badge);                                                                  \
    if (p == NULL) {                                                                               \
        return -ESRCH;                                                                             \
    }
long waiter_defer(uint8_t kind, proc_t *p, uint16_t ofile, void *buf, size_t length);
waiter_t *waiter_newest(void); /* the one waiter_defer just kept */
/* The waiter of the net request in `slot`, or NULL (its process is gone). */
waiter_t *waiter_of_net_slot(unsigned slot);
/* Answer w with `reply` (built in the IPC buffer) and forget it. */
void waiter_answer(waiter_t *w, seL4_MessageInfo_t reply);
void waiters_retry(void);
/* The earliest deadline of a waiting poll (0: none). */
uint64_t waiters_earliest_deadline(void);

/* disk.c: the ext2 server behind the channel "fs" holds "/"; the tree
 * keeps /dev and /bin. */
enum route { ROUTE_TREE = 0, ROUTE_DISK = 1 };
void disk_init(const keel_startinfo_t *si);
bool disk_mounted(void);
/* The caller's path made absolute and clean into out (VFS_PATH_MAX bytes):
 * ROUTE_TREE or ROUTE_DISK, or -ENAMETOOLONG. */
long disk_route(const proc_t *p, const char *path, char *out);
long disk_path_call(uint32_t op, const char *path, const char *path2, uint32_t flags, uint64_t mode,
                    keel_fs_attr_t *attr);
long disk_ino_call(uint32_t op, uint64_t ino, uint64_t offset, uint64_t length,
                   keel_fs_attr_t *attr);
/* SETATTR of the fields `flags` (KEEL_FS_SET_*) names, from values. */
long disk_setattr(const char *path, uint32_t flags, const keel_fs_request_t *values);
long disk_statfs(const char *path, keel_fs_statfs_t *out);
unsigned char *disk_data(void);    /* the data area of the channel */
seL4_Word disk_take_stashed(void); /* notification bits seen while waiting */

/* fcache.c: pages of the disk's files vfs has read. The attributes of
 * every OPEN's and GETATTR's reply go to fcache_described; every change of
 * bytes to fcache_wrote (a WRITE's range and result) or fcache_forget
 * (TRUNCATE). */
void fcache_init(void);
long fcache_read(uint32_t ino, uint64_t offset, uint8_t *buf, size_t length);
void fcache_described(uint32_t ino, const keel_fs_attr_t *a);
void fcache_wrote(uint32_t ino, uint64_t offset, uint64_t length, long result);
void fcache_forget(uint32_t ino);

/* diskops.c: the descriptor methods on the disk's files */
long disk_open(proc_t *p, const char *path, uint64_t flags, uint64_t mode);
/* Neither moves the descriptor's offset: read and write do (files.c). */
long disk_read(ofile_t *o, uint64_t at, void *buf, size_t length);
/* At *at, or at the file's end with `append` (*at is then set to it). */
long disk_write(ofile_t *o, uint64_t *at, bool append, const void *buf, size_t length);
long disk_lseek(ofile_t *o, int64_t offset, uint64_t whence);
long disk_getdents(ofile_t *o, void *buf, size_t length);
/* flags: KEEL_FS_NOFOLLOW for lstat */
long disk_stat(const char *path, uint32_t flags, uint64_t *mode, uint64_t *size, uint64_t *ino,
               uint64_t *nlink, int64_t *mtime);
long disk_fstat(ofile_t *o, uint64_t *mode, uint64_t *size, uint64_t *ino, uint64_t *nlink,
                int64_t *mtime);

/* files.c */
extern ofile_t ofiles[OFILE_MAX];
long ofile_alloc(uint8_t kind, uint16_t index, uint64_t flags);
bool ofile_available(int want);
long fd_free(const proc_t *p, int64_t lowest);
/* The caller (by badge) and its open file fd: 0, -ESRCH, -EBADF. */
long lookup_fd(seL4_Word badge, int64_t fd, proc_t **p, ofile_t **o);
/* With the disk, the caller's path made absolute and clean into abs and
 * where it goes (ROUTE_*; a tree path then points at abs); without it
 * ROUTE_TREE and the path as it is. */
long route(const proc_t *p, const char **path, char *abs);
/* Does the clean path name something (its directory, with `parent`)? */
long exists(const proc_t *p, long to, const char *abs, bool parent);
typedef struct status {
    uint64_t *mode, *size, *ino, *dev, *nlink;
} status_t;
void node_status(uint16_t n, const status_t *st);
void ofile_unref(uint16_t of);
long fd_install(proc_t *p, uint16_t of, int64_t lowest);
void proc_close_all(proc_t *p);

/* pipe.c */
extern pipe_t pipes[PIPE_MAX];
long pipe_new(uint16_t *out);
long pipe_try_read(pipe_t *pp, unsigned char *buf, size_t length); /* -EAGAIN: would block */
long pipe_try_write(pipe_t *pp, const unsigned char *buf, size_t length);

/* tty.c */
long tty_try_read(unsigned char *buf, size_t length); /* -EAGAIN: no line yet */
bool tty_readable(void);                              /* a read would not wait */
void tty_input(const unsigned char *bytes, size_t length);
/* A program's bytes for the console ("\n" sent as "\r\n"): how many of
 * them the console's queue took, a prefix; -EAGAIN if none fit yet. */
long tty_try_write(const void *buf, size_t length);
long tty_getpgrp(void);
void tty_setpgrp(int64_t pgid);
void tty_init(void);
bool tty_signal_pending(void); /* a Ctrl-C whose SIGINT is not sent yet */
void tty_flush_signal(void);

/* console.c */
void console_init(void);
/* Queue up to `length` bytes for the console; how many it took (all, if
 * console_room() was enough). */
size_t console_output(const void *buf, size_t length);
size_t console_room(void); /* bytes console_output takes now */
void console_notified(seL4_Word bits);
/* rs gave up restarting the uart driver: no byte will be typed again. */
bool console_input_gone(void);

/* sock.c: sockets, served by the net server behind the channel "net"
 * (keel/os/sock.h); the socket methods of proto/vfs.proto are there. */
void sock_init(const keel_startinfo_t *si);
void sock_notified(seL4_Word bits);
/* A socket's descriptors all closed: its socket goes. */
void sock_release(const ofile_t *o);
long sock_read(proc_t *p, uint16_t of, void *buf, size_t length, uint16_t method);
long sock_write(proc_t *p, uint16_t of, const void *buf, size_t length, uint16_t method);
/* POLL_* bits of socket o now. */
unsigned sock_poll(const ofile_t *o);
/* The request in `slot` is no longer waited for (its process is gone). */
void sock_cancel(unsigned slot);

/* poll.c: poll, and the timer channel "timer" that ends its waits. */
void poll_init(const keel_startinfo_t *si);
void poll_notified(seL4_Word bits);
/* A waiting poll's answer now, or -EAGAIN. */
long poll_try(const waiter_t *w);
/* The timer set for the earliest waiting poll's deadline. */
void poll_arm(void);
