#!/bin/sh
# PID 1 of the cgroup v2 test VM (busybox sh). tests/vm/run.sh packs it into the initramfs as /init.
#
# Stage 1 runs on the initramfs (rootfs), where pivot_root(2) fails with EINVAL: it copies the
# initramfs into a tmpfs and switch_roots into it. Stage 2 mounts the pseudo filesystems with
# cgroup2 alone at /sys/fs/cgroup, imports the busybox image, runs the tests named in
# /vm/tests, prints "VM-RESULT rc=N" and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb

if [ ! -e /.vm-stage2 ]; then
  mkdir -p /newroot
  mount -t tmpfs -o mode=0755 tmpfs /newroot || { echo "VM-RESULT rc=125 (tmpfs for the new root)"; poweroff -f; }
  for e in /* /.[!.]*; do
    [ -e "$e" ] || continue
    case "$e" in /newroot|/proc|/sys|/dev) continue;; esac
    cp -a "$e" /newroot/ || { echo "VM-RESULT rc=125 (copying $e)"; poweroff -f; }
  done
  mkdir -p /newroot/proc /newroot/sys /newroot/dev
  : > /newroot/.vm-stage2
  exec switch_root /newroot /init
fi

echo   # the firmware's last line may lack its newline
fatal() { echo "vm-init: $*"; echo "VM-RESULT rc=125"; sync; poweroff -f; sleep 10; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || fatal "mount cgroup2"
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
ln -sf /proc/self/fd /dev/fd 2>/dev/null
ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
hostname locker-vm
ip link set lo up 2>/dev/null

for m in $(cat /vm/modules 2>/dev/null); do
  insmod "$m" || fatal "insmod $m"
done

# Anything the host passed through (LOCKER_* and friends) comes from /vm/env.
[ -f /vm/env ] && . /vm/env
export LOCKER=/bin/locker BBROOT=/bbroot LOCKER_DATA=/tmp/data LOCKER_TEST_ROOT=/run/locker-test

echo "vm-init: $(uname -r), $(nproc) cpus, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "vm-init: mounts of type cgroup (v1): $(grep -c ' cgroup ' /proc/mounts)"
[ -n "${VM_INIT_HOOK:-}" ] && eval "$VM_INIT_HOOK"

"$LOCKER" import "$BBROOT" busybox || fatal "locker import $BBROOT busybox failed"

# Kernel messages (an OOM kill, say) would land in the middle of the runner's lines on the
# console: keep all but emergencies off it while the tests run, and show the log's tail on failure.
dmesg -n 1
dmesg_lines=$(dmesg | wc -l)
# shellcheck disable=SC2046
bash /tests/run.sh $(cat /vm/tests) 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  echo "vm-init: notable kernel messages during the tests:"
  dmesg | tail -n +$((dmesg_lines + 1)) | grep -iE 'oom|kill|cgroup|error|warn|bug|panic|segfault|denied|fail' \
    | grep -v 'oom_score_adj name$' | tail -n 20 | sed 's/^/    /'
fi
echo "VM-RESULT rc=$rc"
sync
poweroff -f
sleep 10
