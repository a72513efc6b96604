"""Every thread the kernel has, for a system that hangs: a gdb script.

    qemu-system-aarch64 ... -gdb tcp::1234         (any Keel image)
    gdb-multiarch -batch -ex 'target remote :1234' \\
        -x tools/gdb_threads.py build/os/kernel.elf

prints a line a thread -- its name (DebugNameThread's, as rs and pm name
every component and program), its state (blocked on receive, on reply, on
a notification...), where it resumes and its priority -- from the
kernel's list of every TCB (ks_debug_thread_list, debug builds). A system
where everyone is blocked shows who waits for whom: a thread blocked on
reply is inside a Call; the IP finds the line with addr2line on its ELF.
"""

import gdb  # noqa: F401 (gdb's own module, present inside gdb only)


def main():
    next_ip = int(gdb.parse_and_eval("CTX_NEXT_IP"))
    thread = gdb.parse_and_eval("ks_debug_thread_list")
    print(f"{'NAME':20} {'STATE':32} {'RESUMES AT':18} PRIORITY")
    while int(thread) != 0:
        ip = int(thread["context"]["r"][next_ip])
        print(f"{thread['name'].string():20} {str(thread['state']):32} {ip:#018x} "
              f"{int(thread['priority'])}")
        thread = thread["debug_next"]


main()
