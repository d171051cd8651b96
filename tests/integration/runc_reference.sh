# The same bundle under runc and under Locker: runc's answer is the reference. Each test
# prints where the two agree; a disagreement fails the test.

have_runc() { command -v runc >/dev/null || { echo "runc is not installed"; exit 77; }; }

# both BUNDLE: run the bundle under runc and Locker; sets RUNC_OUT/RUNC_RC, LOCKER_OUT/LOCKER_RC.
both() {
  local b=$1 id; id=ref-$(basename $b)
  RUNC_OUT=$(cd $b && edit_config $b 'c["linux"]["cgroupsPath"] = "/locker-test-runc/'$id'"' && runc --root /run/locker-test-runc run $id 2>&1); RUNC_RC=$?
  runc --root /run/locker-test-runc delete -f $id >/dev/null 2>&1
  rmdir /sys/fs/cgroup/*/locker-test-runc/$id /sys/fs/cgroup/*/locker-test-runc 2>/dev/null
  edit_config $b 'c["linux"].pop("cgroupsPath", None)'
  LOCKER_OUT=$(L run -b $b $id 2>&1); LOCKER_RC=$?
}
agree() {
  expect_eq "$RUNC_RC" "$LOCKER_RC" "exit code (runc vs locker)" || return 1
  expect_eq "$RUNC_OUT" "$LOCKER_OUT" "output (runc vs locker)" && echo "agree: $1"
}

test_ref_dev_listing() {
  have_runc; local b=/tmp/ref-dev; new_bundle $b sh -c 'ls /dev; ls -l /dev/null /dev/zero /dev/tty | cut -c1-10; readlink /dev/fd /dev/stdin /dev/ptmx'
  both $b; agree "/dev"
}

test_ref_masked_and_readonly_paths() {
  have_runc; local b=/tmp/ref-mask; new_bundle $b sh -c 'for p in /proc/timer_list /proc/keys /proc/acpi /sys/firmware; do echo $p $(ls $p 2>&1 | wc -l) $(cat $p 2>/dev/null | wc -c); done; (echo 1 > /proc/sys/kernel/domainname) 2>&1; (echo b > /proc/sysrq-trigger) 2>&1; true'
  both $b; agree "masked and read-only paths"
}

test_ref_capabilities() {
  have_runc; local b=/tmp/ref-caps; new_bundle $b sh -c 'grep -E "^Cap|NoNewPrivs" /proc/self/status'
  both $b; agree "capability sets and no_new_privs"
}

test_ref_user_groups_rlimits() {
  have_runc; local b=/tmp/ref-user; new_bundle $b sh -c 'id; ulimit -n; ulimit -Hn; umask; pwd'
  edit_config $b 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10], "umask": 18}; c["process"]["cwd"] = "/tmp"; c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 77, "hard": 88}]'
  both $b; agree "user, groups, rlimits, umask, cwd"
}

test_ref_hostname_and_namespaces() {
  have_runc; local b=/tmp/ref-ns; new_bundle $b sh -c 'hostname; echo $$; ls /sys/class/net; ps -o pid,comm | wc -l'
  both $b; agree "hostname, pid 1, network"
}

test_ref_exit_code() {
  have_runc; local b=/tmp/ref-exit; new_bundle $b sh -c 'exit 42'
  both $b; agree "exit code"
}

test_ref_mount_flags() {
  have_runc; local b=/tmp/ref-mnt; new_bundle $b sh -c 'grep -E " /(proc|dev|dev/pts|dev/shm|dev/mqueue|sys) " /proc/self/mounts | cut -d" " -f2-4 | sed "s/,size=[0-9]*k//; s/,inode64//"'
  both $b; agree "mount table of the standard mounts"
}

test_ref_escape_attempts_at_least_as_strict() {
  # The same attempts under runc and Locker with the same config (its default seccomp profile
  # included): every one refused the same way.
  have_runc; local b=/tmp/ref-esc
  new_bundle $b sh -c '
    (echo x > /proc/sys/kernel/hostname) 2>&1
    (echo 1 > /sys/kernel/profiling) 2>&1
    mount -t tmpfs t /mnt 2>&1
    mknod /tmp/sda b 8 0 2>&1
    insmod /bin/busybox 2>&1
    unshare -m true 2>&1
    ls /proc/1/exe > /dev/null 2>&1 && echo exe-visible
    cat /proc/keys /proc/timer_list 2>&1 | wc -c
    true'
  both $b; agree "escape attempts"
}
