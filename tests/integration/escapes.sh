# The known container-escape classes, each attempted from inside.

R() { L run "$@"; }

test_runtime_binary_cannot_be_opened_through_proc_exe() {
  # CVE-2019-5736: with --init, PID 1 is Locker's own code; it stays non-dumpable, so
  # /proc/1/exe (the host's locker binary) cannot be opened, for reading or writing.
  local before; before=$(sha256sum "$LOCKER" | cut -d' ' -f1)
  local out; out=$(R --rm --init busybox sh -c 'cat /proc/1/exe > /dev/null 2>&1 && echo READ-RUNTIME; (echo x >> /proc/1/exe) 2>/dev/null && echo WROTE-RUNTIME; ls -l /proc/1/exe 2>&1; true') || return 1
  expect_not_contains "$out" READ-RUNTIME && expect_not_contains "$out" WROTE-RUNTIME && expect_contains "$out" "Permission denied" || return 1
  expect_eq "$before" "$(sha256sum "$LOCKER" | cut -d' ' -f1)" "runtime binary hash"
}

test_setup_process_is_not_dumpable_until_exec() {
  # While it waits for start (already switched to uid 1000), its /proc files stay root's:
  # nothing in the container could ptrace it or open its exe. After exec they are the user's.
  local b=/tmp/esc-dump; new_bundle $b sleep 100
  edit_config $b 'c["process"]["user"] = {"uid": 1000, "gid": 1000}'
  L create -b $b esc-dump || return 1
  local pid; pid=$(L state esc-dump | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  local during; during=$(stat -c %u /proc/$pid/environ)
  L start esc-dump; sleep 0.2
  local after; after=$(stat -c %u /proc/$pid/environ)
  L delete -f esc-dump
  expect_eq 0 "$during" "owner of /proc/PID while set up" && expect_eq 1000 "$after" "owner after exec"
}

test_cwd_cannot_be_a_leaked_host_descriptor() {
  # CVE-2024-21626: no runtime descriptor survives, so /proc/self/fd/N as cwd cannot reach the host.
  local b=/tmp/esc-cwd
  for fd in 3 4 5 6 7 8 9; do
    new_bundle $b pwd
    edit_config $b "c['process']['cwd'] = '/proc/self/fd/$fd'"
    local out; out=$(L run -b $b esc-cwd 2>&1) && fail "ran with cwd /proc/self/fd/$fd: $out" && return 1
    expect_contains "$out" "chdir to process.cwd /proc/self/fd/$fd" || return 1
    expect_clean esc-cwd || return 1
  done
}

test_preserve_fds_passes_exactly_those() {
  local b=/tmp/esc-fds; new_bundle $b sh -c 'cat <&3; ls /proc/self/fd | tr "\n" " "'
  echo passed-through > /tmp/esc-fds.txt
  local out; out=$(L run --preserve-fds 1 -b $b esc-fds 3</tmp/esc-fds.txt 4</tmp/esc-fds.txt)
  expect_contains "$out" passed-through && expect_contains "$out" "0 1 2 3 " && expect_not_contains "$out" " 4 "
}

test_proc_and_sys_tricks_refused() {
  local out; out=$(R --rm busybox sh -c '
    (echo b > /proc/sysrq-trigger) 2>&1
    (echo evil > /proc/sys/kernel/hostname) 2>&1
    (echo 1 > /sys/kernel/profiling) 2>&1
    insmod /bin/busybox 2>&1
    mount -t proc proc /mnt 2>&1
    mknod /tmp/mem c 1 1 2>&1 && head -c1 /tmp/mem 2>&1
    true')
  expect_not_contains "$out" "evil" || return 1
  [ "$(echo "$out" | grep -c -E "Read-only file system|Permission denied|Operation not permitted|not permitted|denied")" -ge 5 ] || fail "not every trick was refused: $out" || return 1
  expect_eq "$(hostname)" "$(cat /proc/sys/kernel/hostname)" "host's hostname"
}

test_unknown_capability_in_config_refused() {
  local b=/tmp/esc-cap; new_bundle $b true
  edit_config $b 'c["process"]["capabilities"]["bounding"].append("CAP_BOGUS")'
  local out; out=$(L create -b $b esc-cap 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" 'process.capabilities.bounding: unknown capability "CAP_BOGUS"' && expect_clean esc-cap
}

test_apparmor_or_selinux_asked_for_but_absent() {
  [ -e /sys/fs/selinux/enforce ] && { echo "SELinux is enabled here"; return 77; }
  local b=/tmp/esc-lsm; new_bundle $b true
  edit_config $b 'c["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0"'
  local out; out=$(L create -b $b esc-lsm 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" "SELinux is not enabled on this host" && expect_clean esc-lsm
}

test_privileged_has_all_held_caps_and_host_devices() {
  local out; out=$(R --rm --privileged busybox sh -c 'grep CapEff /proc/self/status; ls /dev/kmsg; grep Seccomp: /proc/self/status') || return 1
  expect_contains "$out" "$(grep CapBnd /proc/self/status | cut -f2)" "capabilities" && expect_contains "$out" /dev/kmsg && expect_contains "$out" "Seccomp:	0"
}

test_container_cannot_signal_host_processes() {
  sleep 30 & local victim=$!
  local out; out=$(R --rm busybox sh -c "kill -9 $victim 2>&1; kill -9 -1 2>&1; true")
  kill -0 $victim 2>/dev/null || fail "the host process $victim was killed from inside" || return 1
  kill $victim; wait $victim 2>/dev/null
  return 0
}

test_listen_fds_pass_through() {
  # systemd socket activation: LISTEN_FDS=N hands descriptors 3..3+N-1 on, like --preserve-fds.
  local b=/tmp/esc-listen; new_bundle $b sh -c 'cat <&3; ls /proc/self/fd | tr "\n" " "'
  echo via-listen-fds > /tmp/esc-listen.txt
  local out; out=$(LISTEN_FDS=1 L run -b $b esc-listen 3</tmp/esc-listen.txt 4</tmp/esc-listen.txt)
  expect_contains "$out" via-listen-fds && expect_not_contains "$out" " 4 "
}
