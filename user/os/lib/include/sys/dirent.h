/* Directory entries for picolibc's <dirent.h>, which leaves them to the
 * system (its own sys/dirent.h is an #error). libos's dir.c implements
 * opendir, readdir and closedir over vfs's getdents. */
#pragma once

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
    ino_t d_ino;
    unsigned char d_type; /* DT_* */
    char d_name[256];     /* NUL-terminated */
};

typedef struct __keel_dir DIR;
