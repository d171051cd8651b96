#!/usr/bin/env bash
# Runs Locker's integration tests inside a pure cgroup v2 system: a qemu VM (TCG) booting Debian's
# kernel with cgroup_no_v1=all, from an initramfs holding busybox, bash, python3, the locker
# binary with the libraries ldd lists, the overlay module, a busybox rootfs and tests/.
#
#   tests/vm/run.sh [TEST_FILE...]      (default: tests/integration/limits.sh)
#
# Environment: LOCKER (default .build/release/locker), VM_TIMEOUT (seconds, default 900),
# VM_MEMORY (MiB, default 1024), VM_CPUS (default 2), VM_MODULES (extra kernel modules, by
# name), VM_BINS (extra host programs to copy in, with their libraries), VM_KEEP=1 keeps the
# work directory.
#
# Prints the VM's console as it runs and ends with the runner's "N passed, N failed, N skipped"
# line; exits with the runner's exit code. Prints "SKIP: cgroup v2 VM: <reason>" and exits 0
# only when qemu or the kernel cannot be installed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1

LOCKER=${LOCKER:-.build/release/locker}
VM_TIMEOUT=${VM_TIMEOUT:-900}
VM_MEMORY=${VM_MEMORY:-1024}
VM_CPUS=${VM_CPUS:-2}
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(tests/integration/limits.sh)

die() { echo "tests/vm/run.sh: $*" >&2; exit 1; }
skip() { echo "SKIP: cgroup v2 VM: $*"; exit 0; }

# --- what the host needs ---------------------------------------------------------------------
kernel_version() {
  # The kernel that linux-image-amd64 depends on, else the newest installed one with modules.
  local v
  v=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null | grep -o 'linux-image-[^ ,]*' | head -n1 | sed 's/^linux-image-//')
  if [ -n "$v" ] && [ -r "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v" ]; then echo "$v"; return; fi
  for f in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
    v=${f#/boot/vmlinuz-}
    [ -r "$f" ] && [ -d "/lib/modules/$v" ] && { echo "$v"; return; }
  done
}
have() { local p; p=$(command -v "$1") && [ -x "$p" ] && [ -f "$p" ]; }
busybox_static() { [ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 && ! ldd /bin/busybox >/dev/null 2>&1; }

missing=()
have qemu-system-x86_64 || missing+=(qemu-system-x86)
[ -n "$(kernel_version)" ] || missing+=(linux-image-amd64)
have cpio || missing+=(cpio)
busybox_static || missing+=(busybox-static)
[ -x /usr/bin/python3 ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/vm/run.sh: installing ${missing[*]}" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >/tmp/locker-vm-apt.log 2>&1 || echo "tests/vm/run.sh: apt-get failed (see /tmp/locker-vm-apt.log)" >&2
fi
have qemu-system-x86_64 || skip "qemu-system-x86_64 is not installed and apt-get could not install it"
kver=$(kernel_version)
[ -n "$kver" ] || skip "no Debian kernel (linux-image-amd64) in /boot and apt-get could not install it"
have cpio || die "cpio is missing"
busybox_static || die "/bin/busybox is not Debian's busybox-static"
[ -x "$LOCKER" ] || die "no locker binary at $LOCKER (scripts/build.sh)"
for t in "${tests[@]}"; do [ -f "$t" ] || die "no test file $t"; done
vmlinuz=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver

# --- the initramfs ---------------------------------------------------------------------------
work=$(mktemp -d /tmp/locker-vm.XXXXXX)
[ "${VM_KEEP:-}" = 1 ] && echo "tests/vm/run.sh: work directory $work" || trap 'rm -rf "$work"' EXIT
ir=$work/root
mkdir -p "$ir"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,tmp,run,proc,sys,dev,vm,vmtests}
for d in bin sbin lib lib64; do ln -s usr/$d "$ir/$d"; done
chmod 1777 "$ir/tmp"

# copy_with_libs FILE [DEST]: FILE into the initramfs at DEST (default: its own path), and every
# library ldd lists for it (the dynamic loader included) at its path.
copy_with_libs() {
  local src=$1 dst=${2:-$1} lib
  mkdir -p "$ir$(dirname "$dst")"
  cp -L "$src" "$ir$dst" || die "copy $src"
  for lib in $(ldd "$src" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
    [ -e "$ir$lib" ] && continue
    mkdir -p "$ir$(dirname "$lib")"
    cp -L "$lib" "$ir$lib" || die "copy $lib (for $src)"
  done
}
copy_with_libs "$LOCKER" /bin/locker
copy_with_libs /bin/bash /bin/bash
# GNU tar: `locker import DIR` packs the directory as a layer with --xattrs (busybox tar has none).
copy_with_libs /bin/tar /bin/tar
# python3: lib.sh's new_bundle edits config.json with it. The standard library without what
# tests never import.
py=$(readlink -f /usr/bin/python3)
copy_with_libs "$py" "$py"
ln -s "$(basename "$py")" "$ir/usr/bin/python3"
pylib=/usr/lib/$(basename "$py")
tar -C / -cf - --exclude="${pylib#/}/test" --exclude="${pylib#/}/config-*" --exclude="${pylib#/}/idlelib" \
  --exclude="${pylib#/}/tkinter" --exclude="${pylib#/}/lib2to3" --exclude="${pylib#/}/ensurepip" \
  --exclude="${pylib#/}/pydoc_data" --exclude="${pylib#/}/distutils" --exclude="${pylib#/}/site-packages" \
  --exclude="${pylib#/}/dist-packages" "${pylib#/}" | tar -C "$ir" -xf - || die "copy $pylib"
for b in ${VM_BINS:-}; do copy_with_libs "$(command -v "$b" || echo "$b")"; done
cp /bin/busybox "$ir/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ -e "$ir/$applet" ] || [ -L "$ir/$applet" ] || ln -s /bin/busybox "$ir/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ir/etc/group"
: > "$ir/etc/fstab"

# Kernel modules (with their dependencies, in load order) that are not built in.
: > "$ir/vm/modules"
add_module() {
  local name=$1 f dep
  f=$(modinfo -k "$kver" -F filename "$name" 2>/dev/null) || die "no module $name for $kver"
  case "$f" in ""|"(builtin)") return;; esac
  grep -qxF "$f" "$ir/vm/modules" && return
  for dep in $(modinfo -k "$kver" -F depends "$name" | tr ',' ' '); do add_module "$dep"; done
  case "$f" in
    *.ko) mkdir -p "$ir$(dirname "$f")"; cp "$f" "$ir$f" ;;
    *.ko.xz) mkdir -p "$ir$(dirname "$f")"; xz -dc "$f" > "$ir${f%.xz}"; f=${f%.xz} ;;
    *.ko.zst) mkdir -p "$ir$(dirname "$f")"; zstd -qdc "$f" > "$ir${f%.zst}"; f=${f%.zst} ;;
    *.ko.gz) mkdir -p "$ir$(dirname "$f")"; gzip -dc "$f" > "$ir${f%.gz}"; f=${f%.gz} ;;
  esac
  echo "$f" >> "$ir/vm/modules"
}
for m in overlay ${VM_MODULES:-}; do add_module "$m"; done

# The busybox rootfs the tests run, built here where ldd exists.
bash scripts/busybox-rootfs.sh "$ir/bbroot" || die "scripts/busybox-rootfs.sh failed"
mkdir -p "$ir/scripts" && cp scripts/busybox-rootfs.sh "$ir/scripts/"
cp -a tests "$ir/tests"
vmtests=()
for t in "${tests[@]}"; do
  abs=$(readlink -f "$t")
  case "$abs" in
    "$repo"/tests/*) vmtests+=("/tests/${abs#"$repo"/tests/}") ;;
    *) cp "$abs" "$ir/vmtests/$(basename "$abs")"; vmtests+=("/vmtests/$(basename "$abs")") ;;
  esac
done
echo "${vmtests[*]}" > "$ir/vm/tests"
env | grep -E '^(LOCKER_[A-Z_]*|VM_INIT_HOOK)=' | grep -vE '^(LOCKER|LOCKER_DATA|LOCKER_TEST_ROOT)=' \
  | sed "s/'/'\\\\''/g; s/=/='/; s/\$/'/; s/^/export /" > "$ir/vm/env"
cp tests/vm/init.sh "$ir/init" && chmod 755 "$ir/init"

(cd "$ir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz" \
  || die "cpio failed"
echo "tests/vm/run.sh: kernel $kver, initramfs $(du -m "$work/initrd.gz" | cut -f1) MiB, tests: ${vmtests[*]}"

# --- boot ------------------------------------------------------------------------------------
log=$work/console.log
start=$(date +%s)
timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$VM_CPUS" -m "$VM_MEMORY" \
  -nographic -no-reboot -net none \
  -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
  -append "cgroup_no_v1=all console=ttyS0 quiet panic=-1" </dev/null 2>&1 | tr -d '\r' | sed -u 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | tee "$log"
qrc=${PIPESTATUS[0]}
secs=$(( $(date +%s) - start ))

result=$(grep -o 'VM-RESULT rc=[0-9]*' "$log" | tail -n1)
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
if [ -z "$result" ]; then
  [ "$qrc" = 124 ] && echo "tests/vm/run.sh: the VM did not finish in ${VM_TIMEOUT}s" \
    || echo "tests/vm/run.sh: the VM stopped without a result (qemu exit $qrc) after ${secs}s"
  [ -n "$summary" ] && echo "$summary"
  exit 1
fi
rc=${result#VM-RESULT rc=}
echo "tests/vm/run.sh: VM finished in ${secs}s, tests exit $rc"
[ -n "$summary" ] && echo "$summary"
exit "$rc"
