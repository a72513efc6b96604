/* sync: everything written reaches the disk (the ext2 server writes each
 * operation through already; sync also flushes the device's cache).
 * Calls: sync. */
#define _XOPEN_SOURCE 700 /* sync() is XSI: the host's glibc declares it so */

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: sync\n");
        return 2;
    }
    (void)argv;
    sync();
    return 0;
}
