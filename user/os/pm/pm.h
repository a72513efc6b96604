/* pm, the process manager (docs/os.md "pm"): builds programs from the
 * ELFs of /bin with the process builder, keeps the process table, is the
 * fault handler of every program, and serves proto/pm.proto. */
#pragma once

#include "../lib/build/build.h"
#include <keel/os/archive.h>
#include <keel/proto/pm_server.h>
#include <keel/proto/vfs_defs.h>
#include <sel4/sel4.h>
#include <stdbool.h>

#define PM_DEPTH seL4_WordBits
#define PM_PROCS 24       /* processes at once */
#define PM_PROC_BITS 20   /* each one's memory: a 1 MiB untyped */
#define PM_PROC_SLOTS 150 /* and a range of pm's slots */
/* Memory beyond the first MiB: untypeds of the same size from pm's pool,
 * the rest of its grant, taken one at a time as a process grows (its
 * frames and page tables parked in CNodes of its own, build.h), all
 * given back at its end. A process has at most PM_CHUNKS_MAX of them. */
#define PM_POOL_MAX 224
#define PM_CHUNKS_MAX 63 /* a process: 64 MiB at most */
/* A program's CNode: 64 slots, for the fixed ones and the few caps pm
 * gives (a bigger one costs its creation and its deletion: the kernel
 * zeroes and later visits every slot). */
#define PM_CNODE_BITS 6
#define PM_STACK (1ul << 20) /* a program's stack: its top page mapped at */
                             /* the start, the rest when first touched */
#define PM_PRIORITY 50       /* programs run below every component */
/* A program's data window: table entry i's is the i-th PM_WINDOW_SIZE of
 * the pool pm and vfs share (the channel "windows", whose frames pm has). */
#define PM_WINDOW_SIZE (32ul << 10)
#define PM_WINDOW_VADDR KEEL_REGIONS_VADDR /* where the program sees it */
/* After the windows, pm's load area (load.c): the path of the program
 * file pm reads through vfs, then a part of the file (a read's most). */
#define PM_LOAD_PATH_AT (PM_PROCS * PM_WINDOW_SIZE)
#define PM_LOAD_AT (PM_LOAD_PATH_AT + (4ul << 10))
#define PM_LOAD_PART ((uint64_t)VFS_IO_MAX)
#define PM_POOL_SIZE (PM_LOAD_AT + PM_LOAD_PART)
/* pm's copies of the programs it loaded (load.c): a large page here. */
#define PM_PROGRAMS_VADDR 0x20000000ul
#define PM_PROGRAMS_BITS 21
#define PM_SCRATCH 0x10000000ul /* the builder's scratch page */

/* A fault arrives on pm's endpoint with this badge bit and the pid: above
 * every pid and VFS_BADGE, so a fault is never taken for a call. */
#define PM_FAULT_BADGE 0x10000ul

/* Signal numbers pm acts on: the C library's, picolibc's <signal.h>
 * (1..15 as Linux; from 16 on newlib's order, not Linux's). */
#define PM_SIGINT 2
#define PM_SIGILL 4
#define PM_SIGKILL 9
#define PM_SIGSEGV 11
#define PM_SIGURG 16
#define PM_SIGSTOP 17
#define PM_SIGTSTP 18
#define PM_SIGCONT 19
#define PM_SIGCHLD 20
#define PM_SIGTTIN 21
#define PM_SIGTTOU 22
#define PM_SIGWINCH 28

enum pm_state {
    PM_FREE,
    PM_RUNNING,
    PM_WAITING,    /* blocked in waitpid, its reply saved */
    PM_SLEEPING,   /* blocked in nanosleep: its reply saved, a timeout queued */
    PM_CLOCK_WAIT, /* blocked in boottime until the rtc has answered pm */
    PM_ZOMBIE,     /* ended, its memory returned, its status kept for its parent */
};

typedef struct pm_fault {
    bool valid;
    seL4_Word addr, pc, kind; /* kind: the seL4 fault label */
} pm_fault_t;

typedef struct pm_proc {
    enum pm_state state;
    int64_t pid, ppid, pgid;
    int64_t status;               /* wait status once a zombie */
    int64_t wait_for;             /* PM_WAITING: the pid it waits for, -1 any */
    uint64_t sleep_cookie;        /* PM_SLEEPING: its timeout's cookie (clock.c) */
    uint64_t sleep_deadline;      /* and its deadline, a counter value */
    seL4_CPtr memory;             /* its untyped (kept across uses of the entry) */
    uint8_t chunk[PM_CHUNKS_MAX]; /* the pool's untypeds it took, in order */
    unsigned nchunks;
    seL4_Word used_before; /* bytes it used of its untypeds before b.untyped */
    seL4_CPtr reply;       /* the slot its saved reply goes to */
    kb_proc_t b;           /* its objects */
    seL4_CPtr window_caps[PM_WINDOW_SIZE >> seL4_PageBits]; /* its copies of the pool's
                                                              frames, 0: not given yet */
    uint64_t stack_pages[PM_STACK >> seL4_PageBits >> 6];   /* pages of its stack mapped, */
    unsigned stack_mapped;                                  /* a bit each, and how many */
    seL4_Word heap_start, brk, heap_end; /* heap_end: the end of what is mapped */
    uint32_t ignored;                    /* signals it ignores (bit n: signal n) */
    char name[KEEL_NAME_MAX];
    pm_fault_t fault;
} pm_proc_t;

/* The last faults, kept past the end of their process (faultinfo). */
#define PM_FAULTS_KEPT 8
typedef struct pm_fault_record {
    int64_t pid; /* 0: unused */
    pm_fault_t fault;
} pm_fault_record_t;

/* An endpoint pm holds unbadged ("use NAME mint") and gives each program
 * minted with badge = base | its pid, under the same name (vfs, timer, rs). */
#define PM_PASSED_MAX 4
typedef struct pm_passed {
    const char *name;
    seL4_CPtr cap;
    seL4_Word base;
} pm_passed_t;

typedef struct pm_system {
    seL4_CPtr endpoint;
    seL4_CPtr vfs;       /* pm's own endpoint to vfs (badge VFS_PM_BADGE), 0 without vfs */
    seL4_CPtr rs;        /* pm's own endpoint to rs (badge RS_CLIENT_BADGE), 0 without one */
    unsigned char *pool; /* the windows: mapped in pm, frames in slots pool_frames.. */
    seL4_CPtr pool_frames;
    pm_passed_t passed[PM_PASSED_MAX];
    unsigned npassed;
    pm_proc_t proc[PM_PROCS];
    seL4_CPtr pool_first; /* the pool's untypeds: slots pool_first.. */
    unsigned pool_size;
    bool pool_taken[PM_POOL_MAX];
    kb_proc_t self; /* pm's own memory: page tables of its VSpace */
    int64_t next_pid;
    seL4_Word exits;   /* processes that ended */
    int64_t first_pid; /* the first program (main.c), 0 once it ended */
    int64_t rc_pid;    /* the boot script's shell (main.c), 0 when none runs */
    pm_fault_record_t faults[PM_FAULTS_KEPT];
    unsigned next_fault;
} pm_system_t;

extern pm_system_t pm;
extern kb_host_t pm_host;

/* load.c: a program file read through vfs for the builder. */
typedef struct pm_program {
    int64_t parent; /* the spawning process: its directory resolves the path */
    size_t path_length;
    uint64_t size;     /* of the file */
    uint64_t at, have; /* the part of the file in the load area */
    long error;        /* why the last read failed */
    kb_reader_t reader;
} pm_program_t;
/* Read the start of `path` and check it is a program (its ELF in *elf);
 * then f->reader reads the rest (from pm's copy of the program if it
 * keeps one). 0 or -errno. */
long pm_program_open(pm_program_t *f, int64_t parent, const char *path, kb_elf_t *elf);
/* The program copies' memory: a 2 MiB large page from `untyped` into
 * `slot`, mapped in pm. Without it pm reads every program whole. */
void pm_programs_init(seL4_CPtr untyped, seL4_CPtr slot);
/* Is there a file at `path` (from the root)? 0 or -errno (-ENOENT). */
long pm_file_exists(const char *path);

/* main.c: the first program, and starting it again if pm's arguments say
 * so, when it ended; the boot script run before it, and its end (wait
 * status `status`), which starts the first program. */
void pm_spawn_first(void);
void pm_first_ended(void);
void pm_rc_ended(int64_t status);

/* proc.c */
bool pm_init_memory(seL4_CPtr untyped, seL4_Word size, seL4_CPtr first_free);
pm_proc_t *pm_find(int64_t pid); /* a live or zombie process, or NULL */
unsigned char *pm_window(const pm_proc_t *p);
long pm_spawn(int64_t parent, const char *path, const char *argv, size_t argv_length,
              const char *envp, size_t envp_length, const void *fdmap, size_t fdmap_length,
              int64_t pgid);
/* End p with wait status `status`: its memory goes back, its children are
 * reparented, its parent is woken or it is reaped. */
void pm_end(pm_proc_t *p, int64_t status);
void pm_reap(pm_proc_t *p);
/* A page fault at `addr` in a page of p's stack or window not yet mapped:
 * map it and say true (p goes on); false for any other fault. */
bool pm_map_on_demand(pm_proc_t *p, seL4_Word addr, bool fetch);
/* Make room for one more heap page that leaves what the stack and window
 * pages not touched yet will need: in its current untyped, or in one
 * more from the pool. False if there is none. */
bool pm_heap_page_room(pm_proc_t *p);
seL4_Word pm_free_bytes(void);
seL4_Word pm_total_bytes(void);
/* What p uses, and the most it may: its untyped and the pool's it may take. */
seL4_Word pm_used_bytes(const pm_proc_t *p);
seL4_Word pm_quota_bytes(void);
/* The most p could still get: the rest of its untyped and the pool's it may take. */
seL4_Word pm_room_bytes(const pm_proc_t *p);

/* clock.c: the timer and rtc channels. */
void pm_clock_init(void);
void pm_clock_notified(seL4_Word bits);   /* a notification: completions to take */
void pm_clock_watch(void);                /* at each wakeup: a timer that lost its work restarted */
long pm_sleep(pm_proc_t *p, uint64_t ns); /* nanosleep's result or KEEL_PROTO_DEFERRED */
void pm_sleep_cancel(pm_proc_t *p);       /* p ends while PM_SLEEPING */
long pm_boottime(pm_proc_t *p, int64_t *seconds, uint64_t *counter);
int64_t pm_now_seconds(void); /* the time of day, 0 until the rtc answered */
