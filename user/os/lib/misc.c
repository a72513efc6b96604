/* Calls picolibc may reference, and small ones of <unistd.h> and
 * <sys/ioctl.h>, answered without a server (docs/posix.md). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* No entropy source yet (arc4random and the stack protector ask). */
int getentropy(void *buffer, size_t length)
{
    (void)buffer;
    (void)length;
    errno = ENOSYS;
    return -1;
}

/* The limits a program may ask of the system: pm's and vfs's numbers. */
long sysconf(int name)
{
    switch (name) {
    case _SC_PAGESIZE:
        return 4096;
    case _SC_CLK_TCK:
        return 100; /* times()'s ticks: picolibc's CLOCKS_PER_SEC */
    case _SC_OPEN_MAX:
        return 64; /* descriptors 0..63 */
    case _SC_CHILD_MAX:
        return 24; /* pm's process table */
    case _SC_ARG_MAX:
        return 16384; /* argv and envp in the start page */
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN:
        return 1;
    default:
        errno = EINVAL;
        return -1;
    }
}

/* No device takes an ioctl: there is no terminal control either. */
int ioctl(int fd, unsigned long request, ...)
{
    (void)request;
    if (fcntl(fd, F_GETFD) < 0) {
        return -1; /* EBADF */
    }
    errno = ENOTTY;
    return -1;
}
