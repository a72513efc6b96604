/* Calls picolibc may reference that Keel does not offer. */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* No entropy source yet (arc4random and the stack protector ask). */
int getentropy(void *buffer, size_t length)
{
    (void)buffer;
    (void)length;
    errno = ENOSYS;
    return -1;
}
