# podman running its containers with Locker as the OCI runtime (cgroupfs, no network).
# Root here lacks CAP_SYS_RESOURCE, so podman's default raised rlimits are refused by every
# runtime (runc too): the tests ask for limits within the host's.

have_podman() { command -v podman >/dev/null || { echo "podman is not installed"; exit 77; }; }
P() { podman --runtime "$LOCKER" --cgroup-manager cgroupfs --events-backend file "$@"; }
PR() { P run --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"; }
image() {
  P image exists localhost/locker-busybox:latest && return 0
  tar -C "$BBROOT" -cf /tmp/podman-bb.tar . && P import /tmp/podman-bb.tar localhost/locker-busybox:latest >/dev/null
}
IMG=localhost/locker-busybox:latest

test_podman_run_output_and_exit_code() {
  have_podman; image || return 1
  local out rc; out=$(PR --rm $IMG sh -c 'echo hello from podman; exit 3'); rc=$?
  expect_eq 3 $rc "exit code" && expect_eq "hello from podman" "$out"
}

test_podman_env_workdir_user_hostname_readonly_volume() {
  have_podman; image || return 1
  local d=/tmp/podman-vol; rm -rf $d; mkdir -p $d; echo v > $d/f
  local out; out=$(PR --rm -e A=1 -w /tmp -u 1000:1000 --hostname pm-host --read-only -v $d:/data $IMG \
    sh -c 'echo "$A $(pwd) $(id -u) $(hostname) $(cat /data/f)"; (touch /x) 2>&1 | grep -c "Read-only"') || return 1
  expect_eq "1 /tmp 1000 pm-host v
1" "$out"
}

test_podman_detached_ps_logs_exec_stop_rm() {
  have_podman; image || return 1
  P rm -f pm-det >/dev/null 2>&1
  PR -d --name pm-det $IMG sh -c 'echo started; trap "exit 0" TERM; while true; do sleep 0.1; done' >/dev/null || return 1
  sleep 1
  expect_contains "$(P ps --format '{{.Names}} {{.Status}}')" "pm-det Up" || { P rm -f pm-det; return 1; }
  expect_contains "$(P logs pm-det)" started || { P rm -f pm-det; return 1; }
  expect_eq "in-exec 2" "$(P exec pm-det sh -c 'echo in-exec $(cat /proc/self/stat | cut -d" " -f1 | wc -c)' | sed 's/ [0-9]*$/ 2/')" "exec" || { P rm -f pm-det; return 1; }
  P stop -t 5 pm-det >/dev/null || return 1
  expect_contains "$(P ps -a --format '{{.Names}} {{.Status}}')" "pm-det Exited (0)" || { P rm -f pm-det; return 1; }
  P rm pm-det >/dev/null && ! P ps -a --format '{{.Names}}' | grep -q pm-det
}

test_podman_limits_visible_in_cgroup() {
  have_podman; image || return 1
  local out; out=$(PR --rm --memory 64m --pids-limit 33 --cpus 0.5 $IMG sh -c '
    cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max
    cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us') || return 1
  expect_eq "67108864 33 50000" "$(echo $out | sed 's/ 100000$//')"
}

test_podman_kill_signal_and_pause() {
  have_podman; image || return 1
  P rm -f pm-kill >/dev/null 2>&1
  PR -d --name pm-kill $IMG sh -c 'trap "echo got-usr1" USR1; i=0; while true; do i=$((i+1)); echo $i > /tmp/c; sleep 0.1; done' >/dev/null || return 1
  sleep 0.5
  P pause pm-kill >/dev/null || { P rm -f pm-kill; return 1; }
  expect_eq paused "$(P inspect --format '{{.State.Status}}' pm-kill)" "status after pause" || { P rm -f pm-kill; return 1; }
  P unpause pm-kill >/dev/null || { P rm -f pm-kill; return 1; }
  P kill --signal USR1 pm-kill >/dev/null; sleep 0.5
  local logs; logs=$(P logs pm-kill)
  P rm -f pm-kill >/dev/null
  expect_contains "$logs" got-usr1
}

test_podman_rm_leaves_nothing() {
  have_podman; image || return 1
  PR --rm --name pm-rm $IMG true || return 1
  ! P ps -a --format '{{.Names}}' | grep -q pm-rm || fail "podman still lists it" || return 1
  local left; left=$(find /sys/fs/cgroup -maxdepth 6 -name '*libpod*' -type d 2>/dev/null | while read d; do [ -n "$(cat $d/cgroup.procs 2>/dev/null)" ] && echo $d; done)
  expect_eq "" "$left" "populated libpod cgroups"
}

test_podman_tty() {
  have_podman; image || return 1
  python3 "$TESTS/pty_session.py" --delay 1.5 --type 'tty; echo $((6*7)); exit 4' --expect 42 --expect /dev/pts/ --exit 4 -- \
    podman --runtime "$LOCKER" --cgroup-manager cgroupfs --events-backend file run -it --rm --network none \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 $IMG sh
}

# The same podman command with runc: its answer is the reference.
both_podman() {
  local rc_l rc_r
  OUT_L=$(PR --rm "$@" 2>&1); rc_l=$?
  OUT_R=$(podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs --events-backend file run --network none \
          --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rm "$@" 2>&1); rc_r=$?
  expect_eq "$rc_r" "$rc_l" "exit code (runc vs locker)" && expect_eq "$OUT_R" "$OUT_L" "output (runc vs locker)"
}

test_podman_agrees_with_runc() {
  have_podman; image || return 1
  command -v runc >/dev/null || { echo "runc is not installed"; return 77; }
  local d=/tmp/podman-ref; rm -rf $d; mkdir -p $d; echo v > $d/f
  both_podman -e A=1 -w /tmp -u 1000:1000 --hostname ref --read-only -v $d:/data:ro $IMG \
    sh -c 'echo $A $(pwd) $(id) $(hostname) $(cat /data/f); (touch /x) 2>&1; exit 5' || return 1
  both_podman $IMG sh -c 'grep -E "^(Cap|NoNewPrivs|Seccomp:)" /proc/self/status; ls /dev; echo $$' || return 1
  both_podman --memory 64m --pids-limit 33 $IMG sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max'
}
