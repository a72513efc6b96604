#!/usr/bin/env bash
# Make sure this (Debian) machine has what the build and the tests need, and
# install what is missing with apt-get. Silent and fast when nothing is missing;
# exits non-zero with a message naming what could not be installed.
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

main() {
    local pkgs
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
}

main "$@"
