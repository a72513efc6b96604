/* The boot archive (keel/os/archive.h), made by tools/mksystem.py from
 * system/keel.system, linked into rs's read-only data on a page boundary so
 * that rs can map its files' pages into components. KEEL_ARCHIVE_PATH is
 * set by the build (user/os/rs/rs.mk). */

    .section .rodata.keel_archive, "a"
    .balign 4096
    .global keel_archive_start
keel_archive_start:
    .incbin KEEL_ARCHIVE_PATH
    .balign 4096
    .global keel_archive_end
keel_archive_end:
