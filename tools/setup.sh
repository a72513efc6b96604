#!/usr/bin/env bash
# Make sure this (Debian) machine has what the build and the tests need, and
# install what is missing with apt-get. Silent and fast when nothing is missing;
# exits non-zero with a message naming what could not be installed.
#
#   setup.sh                     what make test and make run need
#   setup.sh --linux-kernel DIR  also what the Linux side of the OS benchmarks
#                                needs (bench/linux/, docs/benchmarks.md): the
#                                cross C library, debugfs, and Debian's arm64 6.1
#                                kernel fetched into DIR/Image with the modules
#                                that reach the disk and the network card in
#                                DIR/modules (NAME.ko, and `order`: their names,
#                                each after what it needs; DIR/kernel.txt names
#                                the package); nothing is fetched if DIR/Image,
#                                DIR/modules/order and every module of
#                                LINUX_MODULES exist
#   setup.sh --source PKG DIR    also Debian's source package PKG, its upstream
#                                tarball unpacked into DIR (DIR/.unpacked names
#                                it; nothing is fetched if that exists): the
#                                libraries the OS is built with (lwIP: user/os/
#                                net/net.mk) come this way, and the tree holds
#                                only Keel's glue for them. A machine without a
#                                deb-src entry gets keel-deb-src.sources (or
#                                .list), the deb-src twin of its Debian entries.
set -euo pipefail

# command -> Debian package providing it
TOOLS=(
    "qemu-system-aarch64 qemu-system-arm"
    "clang clang"
    "ld.lld lld"
    "llvm-ar llvm"
    "llvm-objcopy llvm"
    "make make"
    "python3 python3"
    "aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu"
    "lua5.4 lua5.4"
    "sqlite3 sqlite3"
)

# file -> Debian package providing it (libraries, no command to look for).
# picolibc is the C library of the OS's programs (docs/os.md "libos"); its
# package pulls in the cross gcc whose libgcc programs link.
FILES=(
    "/usr/lib/picolibc/aarch64-linux-gnu/lib/libc.a picolibc-aarch64-linux-gnu"
)

die() {
    echo "setup.sh: $*" >&2
    exit 1
}

# Run as root, through sudo when we are not root already.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" -eq 0 ]; then
        echo "setup.sh: apt-get update" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
            die "apt-get update failed"
        APT_UPDATED=1
    fi
    echo "setup.sh: installing $*" >&2
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@" >&2
}

missing_packages() {
    local entry cmd pkg out=()
    for entry in "${TOOLS[@]}"; do
        read -r cmd pkg <<<"$entry"
        if ! command -v "$cmd" >/dev/null 2>&1; then
            case " ${out[*]-} " in *" $pkg "*) ;; *) out+=("$pkg") ;; esac
        fi
    done
    for entry in "${FILES[@]}"; do
        read -r cmd pkg <<<"$entry"
        if [ ! -e "$cmd" ]; then
            case " ${out[*]-} " in *" $pkg "*) ;; *) out+=("$pkg") ;; esac
        fi
    done
    echo "${out[*]-}"
}

# Host tests link clang's ASan/UBSan runtime; only a real link proves it is there.
sanitizers_work() {
    local dir rc
    dir=$(mktemp -d)
    printf '#include <stdio.h>\nint main(void) { return puts("") < 0; }\n' >"$dir/t.c"
    clang -fsanitize=address,undefined "$dir/t.c" -o "$dir/t" >/dev/null 2>&1 && rc=0 || rc=1
    rm -rf "$dir"
    return "$rc"
}

install_sanitizer_runtime() {
    local major
    major=$(clang -dumpversion | cut -d. -f1)
    apt_install libc6-dev "libclang-rt-$major-dev" || apt_install libc6-dev libclang-rt-dev ||
        die "could not install clang's sanitizer runtime (libclang-rt-$major-dev)"
}

# The Linux benchmark's static program needs Debian's arm64 C library; the
# benchmark disk (tools/mkbenchdisk.py) the host's debugfs.
LINUX_FILES=(
    "/usr/aarch64-linux-gnu/lib/libc.a libc6-dev-arm64-cross"
    "/usr/sbin/debugfs e2fsprogs"
)

# The modules Linux's /init loads to reach the benchmark disk (osbench.c
# disk_up): the virtio-mmio transport, virtio-blk, ext4 (which serves ext2:
# CONFIG_EXT4_USE_FOR_EXT2), and crc32c_generic, the "crypto-crc32c" ext4
# and jbd2 ask for (a soft dependency, which modinfo's depends= leaves out);
# and for the network benchmarks (netbench.c) virtio_net, the card's driver
# (it needs net_failover and failover). Debian's kernel has them as
# modules; what each depends on is added, from its depends= field (the
# package has no modules.dep: depmod makes it at installation).
LINUX_MODULES=(virtio_mmio virtio_blk crc32c_generic ext4 virtio_net)

# Debian's arm64 kernel: the package linux-image-arm64 (for arm64) depends on
# the current 6.1 image package, which `apt-get download` fetches without
# installing it; its /boot/vmlinuz-* is an uncompressed arm64 Image.
ARM64_UPDATED=0
ensure_arm64_lists() {
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        echo "setup.sh: dpkg --add-architecture arm64" >&2
        as_root dpkg --add-architecture arm64 || die "dpkg --add-architecture arm64 failed"
    fi
    if [ "$ARM64_UPDATED" -eq 0 ] && [ -z "$(kernel_package)" ]; then
        echo "setup.sh: apt-get update (arm64 package lists)" >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 ||
            die "apt-get update failed"
        ARM64_UPDATED=1
    fi
}

kernel_package() {
    apt-cache depends linux-image-arm64:arm64 2>/dev/null |
        awk '!found && $1 == "Depends:" && $2 ~ /^linux-image-6\.1\./ { sub(/:arm64$/, "", $2); print $2; found = 1 }'
}

# module_depends KO: the names of the modules KO depends on, one a line.
module_depends() {
    tr '\0' '\n' <"$1" | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}

# copy_modules TREE DIR: LINUX_MODULES and their dependencies from the
# package's lib/modules tree TREE into DIR/modules, and DIR/modules/order.
copy_modules() {
    local tree=$1 dir=$2 index order=() name
    index=$(find "$tree" -name '*.ko' | awk '{ n = $0; sub(/.*\//, "", n); sub(/\.ko$/, "", n);
        gsub(/-/, "_", n); print n, $0 }')
    rm -rf "$dir/modules.tmp"
    mkdir -p "$dir/modules.tmp"
    # depth first: a module's dependencies go into `order` before it
    visit() {
        local file dep
        case " ${order[*]-} " in *" $1 "*) return 0 ;; esac
        file=$(awk -v n="$1" '$1 == n { print $2; exit }' <<<"$index")
        [ -n "$file" ] || die "module $1 not found in the kernel package"
        for dep in $(module_depends "$file"); do
            visit "$dep"
        done
        order+=("$1")
        cp "$file" "$dir/modules.tmp/$1.ko"
    }
    for name in "${LINUX_MODULES[@]}"; do
        visit "$name"
    done
    printf '%s\n' "${order[@]}" >"$dir/modules.tmp/order"
    rm -rf "$dir/modules"
    mv "$dir/modules.tmp" "$dir/modules"
}

# apt_fetch DIR ARGS...: apt-get -q ARGS run in DIR, for what downloads
# into it (as root apt downloads as its own user, who may not write to
# DIR).
apt_fetch() {
    local dir=$1 sandbox=()
    shift
    [ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
    (cd "$dir" && apt-get -q "${sandbox[@]}" "$@" >&2)
}

# have_linux_kernel DIR: DIR has the Image, `order` and every module of
# LINUX_MODULES (a directory fetched before a module joined the list is
# fetched again).
have_linux_kernel() {
    local dir=$1 name
    [ -s "$dir/Image" ] && [ -s "$dir/modules/order" ] || return 1
    for name in "${LINUX_MODULES[@]}"; do
        [ -s "$dir/modules/$name.ko" ] || return 1
    done
}

fetch_linux_kernel() {
    local dir=$1 pkg tmp deb
    have_linux_kernel "$dir" && return 0
    ensure_arm64_lists
    pkg=$(kernel_package)
    [ -n "$pkg" ] || die "no linux-image-6.1.*-arm64 package found for arm64"
    mkdir -p "$dir"
    tmp=$(mktemp -d)
    echo "setup.sh: fetching $pkg (arm64)" >&2
    apt_fetch "$tmp" download "$pkg:arm64" ||
        { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
    deb=$(ls "$tmp"/*.deb)
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' \
        './lib/modules/*.ko' || { rm -rf "$tmp"; die "no /boot/vmlinuz-* or modules in $deb"; }
    # Image and modules from the same package (a module loads only into
    # the kernel it was built for)
    rm -f "$dir/Image"
    (copy_modules "$tmp/lib/modules" "$dir") || { rm -rf "$tmp"; exit 1; }
    cp "$tmp"/boot/vmlinuz-* "$dir/Image.tmp" && mv "$dir/Image.tmp" "$dir/Image"
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >"$dir/kernel.txt"
    rm -rf "$tmp"
}

# deb-src entries derived from the machine's Debian deb entries (deb822
# files and the one-line format): the sources come from the same mirror
# and suites as its packages.
add_deb_src() {
    local out legacy=""
    out=$(mktemp)
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        case "$f" in *keel-deb-src*) continue ;; esac
        if grep -qi 'debian' "$f"; then
            sed 's/^Types: deb$/Types: deb-src/' "$f" >>"$out"
            echo >>"$out"
        fi
    done
    if [ -f /etc/apt/sources.list ]; then
        legacy=$(sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' /etc/apt/sources.list)
    fi
    [ -s "$out" ] || [ -n "$legacy" ] || { rm -f "$out"; die "no Debian deb entry to derive deb-src from"; }
    [ ! -s "$out" ] || as_root cp "$out" /etc/apt/sources.list.d/keel-deb-src.sources
    [ -z "$legacy" ] || echo "$legacy" | as_root tee /etc/apt/sources.list.d/keel-deb-src.list >/dev/null
    rm -f "$out"
    echo "setup.sh: added deb-src entries; apt-get update" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || die "apt-get update failed"
}

has_source() {
    apt-cache showsrc "$1" 2>/dev/null | grep -q '^Package:'
}

# fetch_source PKG DIR: see the usage at the top.
fetch_source() {
    local pkg=$1 dir=$2 tmp tarball
    [ -f "$dir/.unpacked" ] && return 0
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found"
    has_source "$pkg" || add_deb_src
    has_source "$pkg" || die "no source package $pkg in the machine's Debian sources"
    tmp=$(mktemp -d)
    echo "setup.sh: apt-get source $pkg" >&2
    apt_fetch "$tmp" source --download-only "$pkg" ||
        { rm -rf "$tmp"; die "apt-get source $pkg failed"; }
    tarball=$(find "$tmp" -maxdepth 1 -name '*.orig.tar.*' | head -1)
    [ -n "$tarball" ] || { rm -rf "$tmp"; die "no upstream tarball in the source package $pkg"; }
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xf "$tarball" --strip-components=1 -C "$dir" || { rm -rf "$tmp"; die "cannot unpack $tarball"; }
    basename "$tarball" >"$dir/.unpacked"
    rm -rf "$tmp"
}

main() {
    local pkgs linux_dir="" source_pkg="" source_dir=""
    if [ "${1-}" = "--linux-kernel" ]; then
        [ -n "${2-}" ] || die "--linux-kernel wants a directory"
        linux_dir=$2
        FILES+=("${LINUX_FILES[@]}")
    elif [ "${1-}" = "--source" ]; then
        [ -n "${2-}" ] && [ -n "${3-}" ] || die "--source wants a package and a directory"
        source_pkg=$2
        source_dir=$3
    elif [ $# -gt 0 ]; then
        die "usage: setup.sh [--linux-kernel DIR | --source PACKAGE DIR]"
    fi
    pkgs=$(missing_packages)
    if [ -n "$pkgs" ]; then
        # shellcheck disable=SC2086 # word splitting wanted: one package per word
        apt_install $pkgs || die "apt-get install failed for: $pkgs"
        pkgs=$(missing_packages)
        [ -z "$pkgs" ] || die "still missing after install: $pkgs"
    fi
    if ! sanitizers_work; then
        install_sanitizer_runtime
        sanitizers_work || die "clang -fsanitize=address,undefined still cannot link a program"
    fi
    if [ -n "$linux_dir" ]; then
        fetch_linux_kernel "$linux_dir"
    fi
    if [ -n "$source_pkg" ]; then
        fetch_source "$source_pkg" "$source_dir"
    fi
}

main "$@"
