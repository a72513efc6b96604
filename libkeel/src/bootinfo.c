/* BootInfo, extra BootInfo chunks and boot arguments (ABI 9.5). The extra
 * BootInfo region starts at the page after the BootInfo frame. */
#include "internal.h"
#include <fdt.h>
#include <keel/runtime.h>
#include <keel/string.h>

#define BOOTINFO_FRAME_SIZE (1ul << seL4_BootInfoFrameBits)

seL4_BootInfo *keel_bootinfo_pointer; /* set by keel_start() */

seL4_BootInfo *keel_bootinfo(void)
{
    return keel_bootinfo_pointer;
}

const void *keel_extra_bootinfo_chunk(seL4_Word id, size_t *len)
{
    const seL4_BootInfo *bi = keel_bootinfo_pointer;
    const char *region = (const char *)bi + BOOTINFO_FRAME_SIZE;
    seL4_Word offset = 0;
    while (offset + sizeof(seL4_BootInfoHeader) <= bi->extraLen) {
        const seL4_BootInfoHeader *header = (const void *)(region + offset);
        if (header->len < sizeof(*header) || header->len > bi->extraLen - offset) {
            return NULL;
        }
        if (header->id == id) {
            *len = header->len - sizeof(*header);
            return header + 1;
        }
        offset += header->len;
    }
    return NULL;
}

const void *keel_dtb(size_t *size)
{
    return keel_extra_bootinfo_chunk(SEL4_BOOTINFO_HEADER_FDT, size);
}

const char *keel_bootargs(void)
{
    size_t size;
    const void *blob = keel_dtb(&size);
    fdt_t fdt;
    if (blob == NULL || !fdt_init(&fdt, blob, size)) {
        return "";
    }
    int chosen = fdt_path_offset(&fdt, "/chosen");
    uint32_t len = 0;
    const char *args = chosen < 0 ? NULL : fdt_get_prop(&fdt, chosen, "bootargs", &len);
    if (args == NULL || len == 0 || args[len - 1] != '\0') {
        return "";
    }
    return args;
}

const char *keel_bootarg(const char *key, size_t *len)
{
    size_t key_len = strlen(key);
    const char *p = keel_bootargs();
    while (*p != '\0') {
        while (*p == ' ') {
            p++;
        }
        const char *word = p;
        while (*p != '\0' && *p != ' ') {
            p++;
        }
        if ((size_t)(p - word) > key_len && strncmp(word, key, key_len) == 0 &&
            word[key_len] == '=') {
            *len = (size_t)(p - word) - key_len - 1;
            return word + key_len + 1;
        }
    }
    return NULL;
}
