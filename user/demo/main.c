/* The demo root task `make run` boots: prints the BootInfo the kernel handed
 * over in readable form, then halts the machine. */
#include <keel/printf.h>
#include <keel/runtime.h>
#include <keel/syscalls.h>

/* "4 KiB", "1 GiB", ...: sizes here are powers of two. */
static void print_size(unsigned size_bits)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    printf("%4lu %s", 1ul << (size_bits % 10), units[size_bits / 10]);
}

static void print_region(const char *name, seL4_SlotRegion region)
{
    printf("  %-16s slots [%5lu, %5lu)  %5lu caps\n", name, region.start, region.end,
           region.end - region.start);
}

static void print_untypeds(const seL4_BootInfo *bi)
{
    seL4_Word count = bi->untyped.end - bi->untyped.start;
    seL4_Word ram = 0;
    printf("Untyped memory (%lu caps):\n", count);
    printf("  %5s %5s  %-18s  %5s  %-9s  %s\n", "index", "slot", "paddr", "bits", "size", "kind");
    for (seL4_Word i = 0; i < count; i++) {
        const seL4_UntypedDesc *u = &bi->untypedList[i];
        printf("  %5lu %5lu  0x%016lx  %5u  ", i, bi->untyped.start + i, u->paddr, u->sizeBits);
        print_size(u->sizeBits);
        printf("  %s\n", u->isDevice ? "device" : "RAM");
        if (!u->isDevice) {
            ram += 1ul << u->sizeBits;
        }
    }
    printf("  RAM in untypeds: %lu bytes (%lu KiB)\n", ram, ram >> 10);
}

int main(void)
{
    const seL4_BootInfo *bi = keel_bootinfo();
    printf("Keel demo root task\n");
    printf("BootInfo at %p\n", (const void *)bi);
    printf("  node %lu of %lu, IO page-table levels %lu, domain %lu\n", bi->nodeID, bi->numNodes,
           bi->numIOPTLevels, bi->initThreadDomain);
    printf("  IPC buffer at %p\n", (void *)bi->ipcBuffer);
    printf("  root CNode: 2^%lu slots\n", bi->initThreadCNodeSizeBits);
    print_region("userImagePaging", bi->userImagePaging);
    print_region("extraBIPages", bi->extraBIPages);
    print_region("userImageFrames", bi->userImageFrames);
    print_region("untyped", bi->untyped);
    print_region("empty", bi->empty);
    print_region("sharedFrames", bi->sharedFrames);
    print_region("ioSpaceCaps", bi->ioSpaceCaps);
    printf("  user image: %lu frames of 4 KiB\n",
           bi->userImageFrames.end - bi->userImageFrames.start);
    printf("  extra BootInfo: %lu bytes\n", bi->extraLen);
    const char *args = keel_bootargs();
    printf("  boot arguments: \"%s\"\n", args);
    print_untypeds(bi);
    seL4_DebugHalt();
    return 0;
}
