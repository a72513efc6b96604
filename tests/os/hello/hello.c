/* The first test component (tests/os/test.system): prints its name, arguments
 * and environment from its start page, builds objects from its untyped
 * grant (a VSpace that gets an ASID from its pool), and lists the archive
 * files it was granted. Output is checked by the os.* entries of
 * tests/tests.list. */
#include "../testcomp.h"
#include <keel/os/archive.h>

static void print_args(int argc, char **argv, char **envp)
{
    printf("hello: I am %s, argc %d:", keel_startinfo()->name, argc);
    for (int i = 0; i < argc; i++) {
        printf(" [%s]", argv[i]);
    }
    printf(", env:");
    for (char **e = envp; *e != NULL; e++) {
        printf(" [%s]", *e);
    }
    printf("\n");
}

/* Every non-empty slot of its CNode is a fixed slot or a granted cap. */
static void check_cspace(void)
{
    const keel_startinfo_t *si = keel_startinfo();
    seL4_Word granted = 0;
    for (seL4_Word slot = 0; slot < (1ul << KEEL_CNODE_BITS); slot++) {
        bool fixed = slot >= KEEL_SLOT_TCB && slot <= KEEL_SLOT_FAULT;
        bool grant = false;
        for (uint64_t i = 0; i < si->ncaps; i++) {
            grant = grant || (si->caps[i].cptr != 0 && si->caps[i].cptr == slot);
        }
        bool full = seL4_DebugCapIdentify(slot) != 0;
        if (full != (fixed || grant)) {
            printf("hello: FAIL: slot %lu is %s\n", slot, full ? "full" : "empty");
            return;
        }
        granted += grant;
    }
    printf("hello: its CSpace holds the 4 fixed caps and its %lu granted caps, nothing else\n",
           granted);
}

/* A VSpace from the untyped, then an ASID for it from the pool. */
static void use_memory(void)
{
    const keel_startcap_t *mem = testcomp_cap("mem", KEEL_CAP_UNTYPED);
    const keel_startcap_t *pool = testcomp_cap("asids", KEEL_CAP_ASID_POOL);
    seL4_CPtr vspace = KEEL_SLOT_FIRST_FREE + keel_startinfo()->ncaps;
    seL4_Error made =
        seL4_Untyped_Retype(mem->cptr, seL4_ARM_VSpaceObject, 0, KEEL_SLOT_CNODE, 0, 0, vspace, 1);
    seL4_Error assigned =
        made == seL4_NoError ? seL4_ARM_ASIDPool_Assign(pool->cptr, vspace) : seL4_IllegalOperation;
    printf("hello: untyped of %lu bytes: VSpace retyped (%d), ASID assigned (%d)\n",
           (unsigned long)mem->size, made, assigned);
}

static void list_files(void)
{
    const keel_startcap_t *bin = testcomp_cap("bin", KEEL_CAP_REGION);
    const void *archive = (const void *)bin->vaddr;
    int error = keel_archive_check(archive, bin->size);
    if (error != KEEL_ARCHIVE_OK) {
        printf("hello: FAIL: region bin: %s\n", keel_archive_strerror(error));
        return;
    }
    const keel_archive_header_t *h = archive;
    const keel_archive_entry_t *e = keel_archive_entries(archive);
    printf("hello: region bin holds %u files:", h->nfiles);
    for (uint32_t i = 0; i < h->nfiles; i++) {
        const unsigned char *data = (const unsigned char *)archive + e[i].offset;
        printf(" %s (%lu bytes, %s)", e[i].name, (unsigned long)e[i].size,
               e[i].size >= 4 && data[0] == 0x7f && data[1] == 'E' ? "ELF" : "not ELF");
    }
    printf("\n");
}

int main(int argc, char **argv, char **envp)
{
    print_args(argc, argv, envp);
    check_cspace();
    use_memory();
    list_files();
    return 7;
}
