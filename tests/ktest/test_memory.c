/* The root task's memory as the kernel mapped it (ABI 9.2): the IPC buffer
 * frame and every frame of the image are readable and writable. */
#include "boot.h"
#include "ktest.h"
#include <keel/ipcbuf.h>
#include <keel/string.h>

/* Fill the whole IPC buffer frame with a pattern, read it back, restore it. */
static void test_ipc_buffer_read_write(void)
{
    static seL4_Word saved[KT_PAGE_SIZE / sizeof(seL4_Word)];
    volatile seL4_Word *frame = (volatile seL4_Word *)seL4_GetIPCBuffer();
    size_t words = KT_PAGE_SIZE / sizeof(seL4_Word);
    memcpy(saved, (const void *)frame, KT_PAGE_SIZE);
    for (size_t i = 0; i < words; i++) {
        frame[i] = 0x1bcf000000000000ul ^ i;
    }
    size_t bad = words;
    for (size_t i = 0; i < words && bad == words; i++) {
        if (frame[i] != (0x1bcf000000000000ul ^ i)) {
            bad = i;
        }
    }
    memcpy((void *)frame, saved, KT_PAGE_SIZE);
    if (bad != words) {
        KT_FAIL("IPC buffer word %zu did not keep its value", bad);
    }
}

/* Write every page of the image, text included, with the value it holds: a
 * read-only mapping would fault, and the code stays intact. */
static void test_image_frames_writable(void)
{
    for (char *page = __keel_image_start; page < __keel_image_end; page += KT_PAGE_SIZE) {
        volatile seL4_Word *word = (volatile seL4_Word *)page;
        seL4_Word value = *word;
        *word = value;
        KT_ASSERT_EQ(*word, value);
    }
}

const ktest_case_t ktest_memory_cases[] = {
    { "memory.ipc_buffer_read_write", test_ipc_buffer_read_write },
    { "memory.image_frames_writable", test_image_frames_writable },
    { NULL, NULL },
};
