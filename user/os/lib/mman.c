/* <sys/mman.h> (docs/posix.md "Not there"): Keel maps no files and offers
 * no mappings to programs, so mmap says the object cannot be mapped
 * (ENODEV, anonymous memory included: malloc is the heap), and there is
 * never a mapping to remove or protect (EINVAL). */
#include <errno.h>
#include <sys/mman.h>

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    (void)addr;
    (void)prot;
    (void)fd;
    (void)offset;
    errno = length == 0 || (flags & (MAP_SHARED | MAP_PRIVATE)) == 0 ? EINVAL : ENODEV;
    return MAP_FAILED;
}

int munmap(void *addr, size_t length)
{
    (void)addr;
    (void)length;
    errno = EINVAL;
    return -1;
}

int mprotect(void *addr, size_t length, int prot)
{
    (void)addr;
    (void)length;
    (void)prot;
    errno = EINVAL;
    return -1;
}
