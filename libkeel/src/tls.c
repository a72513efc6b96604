/* TLS area set-up for a thread (see keel/tls.h). The linker script exports the
 * TLS image: .tdata holds initial values, .tbss follows and is zero. */
#include <keel/string.h>
#include <keel/tls.h>

#define TLS_GAP 16 /* bytes between the thread pointer and the TLS block */

extern char __keel_tdata_start[], __keel_tdata_end[];
extern char __keel_tbss_start[], __keel_tbss_end[];

size_t keel_tls_area_size(void)
{
    size_t block = (size_t)(__keel_tbss_end - __keel_tdata_start);
    return (TLS_GAP + block + 15) & ~(size_t)15;
}

uintptr_t keel_tls_init(void *area, size_t size)
{
    if (((uintptr_t)area & 15) != 0 || size < keel_tls_area_size()) {
        return 0;
    }
    char *block = (char *)area + TLS_GAP;
    size_t data = (size_t)(__keel_tdata_end - __keel_tdata_start);
    size_t total = (size_t)(__keel_tbss_end - __keel_tdata_start);
    memset(area, 0, TLS_GAP);
    memcpy(block, __keel_tdata_start, data);
    memset(block + data, 0, total - data);
    return (uintptr_t)area;
}
