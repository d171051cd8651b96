# cgroup limits shown biting, from inside the container, on v1, v2 and hybrid hosts.
# Only `locker run` with flags here (no python), so the same file runs in the cgroup v2 VM.

R() { L run "$@"; }
# Reads a file of the container's writable layer from the host.
upper() { cat "$LOCKER_DATA/containers/$1/upper/$2" 2>/dev/null; }
wait_running() { for i in $(seq 100); do L state $1 2>/dev/null | grep -q '"running"' && return 0; sleep 0.1; done; return 1; }
json_num() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1" | head -n1; }

test_memory_limit_visible_inside() {
  local out; out=$(R --rm --memory 48m busybox sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes') || return 1
  expect_eq 50331648 "$out" "memory limit seen inside"
}

test_memory_limit_oom_kills() {
  local out rc
  # tail of a stream with no newline keeps it all in memory; as PID 1 it is what gets killed.
  out=$(R --rm --name oom-test --memory 32m --memory-swap 32m busybox tail /dev/zero 2>&1); rc=$?
  expect_eq 137 $rc "exit code" && expect_contains "$out" "OOM killer" && expect_clean oom-test
}

# The runtime's own setup runs inside the container's cgroup; a 1 MiB limit must still
# leave room for it (issue 7), and the limit must still be the one that holds afterwards.
test_one_mebibyte_memory_limit_starts_and_holds() {
  local out rc
  out=$(R --rm --memory 1m --memory-swap 1m busybox sh -c 'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes') || { fail "--memory 1m did not start: $out"; return 1; }
  expect_eq 1048576 "$out" "1 MiB limit seen inside" || return 1
  out=$(R --rm --name oom-1m --memory 1m --memory-swap 1m busybox sh -c 'echo started; tail /dev/zero' 2>&1); rc=$?
  expect_eq 137 $rc "a 1 MiB container that grows is OOM-killed" && expect_contains "$out" "started"
}

test_pids_limit_fork_fails() {
  local out; out=$(R --rm --pids-limit 4 busybox sh -c 'for i in 1 2 3 4 5 6; do sleep 2 & done; wait' 2>&1)
  expect_contains "$out" "can't fork" "fork past the limit"
}

test_cpu_quota_half_a_cpu() {
  R -d --name cpu-test --cpus 0.5 busybox sh -c 'while :; do :; done' >/dev/null || return 1
  wait_running cpu-test || return 1
  local a b; a=$(json_num "$(L events --stats cpu-test)" total); sleep 3; b=$(json_num "$(L events --stats cpu-test)" total)
  L delete -f cpu-test
  local used=$(( (b - a) / 30000000 ))   # percent of one CPU over 3 s
  echo "busy loop under --cpus 0.5 used ${used}% of a CPU"
  [ $used -ge 30 ] && [ $used -le 65 ] || fail "CPU use ${used}% is not about 50%"
}

test_pause_freezes_and_resume_continues() {
  R -d --name frz-test busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; sleep 0.05; done' >/dev/null || return 1
  wait_running frz-test || return 1; sleep 0.3
  L pause frz-test || return 1
  expect_contains "$(L state frz-test)" '"paused"' || { L delete -f frz-test; return 1; }
  local c1 c2 c3; c1=$(upper frz-test tmp/c); sleep 0.5; c2=$(upper frz-test tmp/c)
  L resume frz-test || return 1
  sleep 0.5; c3=$(upper frz-test tmp/c)
  L delete -f frz-test
  expect_eq "$c1" "$c2" "counter while paused" && [ "$c3" -gt "$c2" ] || fail "no progress after resume ($c2 -> $c3)"
}

test_stats_move_with_the_workload() {
  R -d --name st-test busybox sh -c 'sleep 1; for i in 1 2 3; do sleep 100 & done; while :; do :; done' >/dev/null || return 1
  wait_running st-test || return 1
  local s1 s2; s1=$(L events --stats st-test); sleep 2; s2=$(L events --stats st-test)
  L delete -f st-test
  [ "$(json_num "$s2" total)" -gt "$(json_num "$s1" total)" ] || fail "cpu total did not grow" || return 1
  [ "$(json_num "$s2" current)" -ge 4 ] || fail "pids.current below 4: $s2" || return 1
  [ "$(json_num "$s2" usage)" -gt 0 ] || fail "memory usage is 0"
}

test_update_changes_a_running_limit() {
  # The container keeps reporting its limit (written whole with a rename, so never read half).
  R -d --name upd-test --memory 64m busybox sh -c 'while :; do (cat /sys/fs/cgroup/memory.max || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > /tmp/lim.new 2>/dev/null; mv /tmp/lim.new /tmp/lim; sleep 0.1; done' >/dev/null || return 1
  wait_running upd-test || return 1
  local before after
  for i in $(seq 50); do before=$(upper upd-test tmp/lim); [ -n "$before" ] && break; sleep 0.1; done
  L update --memory 96m upd-test || { L delete -f upd-test; return 1; }
  for i in $(seq 50); do after=$(upper upd-test tmp/lim); [ "$after" = 100663296 ] && break; sleep 0.1; done
  L delete -f upd-test
  expect_eq 67108864 "$before" "limit before update" && expect_eq 100663296 "$after" "limit after update"
}

test_device_not_allowed_even_for_root() {
  local out; out=$(R --rm busybox sh -c 'mknod /tmp/disk b 8 0 2>&1; head -c 1 /tmp/disk >/dev/null 2>&1 && echo READ-HOST-DISK; echo done') || return 1
  expect_not_contains "$out" READ-HOST-DISK && expect_contains "$out" done
}

test_kill_all_signals_every_process() {
  R -d --name ka-test busybox sh -c 'sleep 100 & sleep 100 & wait' >/dev/null || return 1
  wait_running ka-test || return 1; sleep 0.2
  L kill --all ka-test KILL || return 1
  for i in $(seq 50); do L state ka-test | grep -q stopped && break; sleep 0.1; done
  expect_contains "$(L state ka-test)" '"stopped"' || return 1
  L delete ka-test && expect_clean ka-test
}

test_cpuset_and_shares_applied() {
  local out; out=$(R --rm --cpuset-cpus 0 --cpu-shares 512 busybox sh -c 'cat /sys/fs/cgroup/cpuset.cpus 2>/dev/null || cat /sys/fs/cgroup/cpuset/cpuset.cpus; cat /sys/fs/cgroup/cpu.weight 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.shares; grep Cpus_allowed_list /proc/self/status') || return 1
  expect_eq 0 "$(echo "$out" | head -n1)" "cpuset" && expect_contains "$out" "Cpus_allowed_list:	0" || return 1
  case "$(echo "$out" | sed -n 2p)" in 512|20) ;; *) fail "shares/weight: $out";; esac
}

test_bad_size_names_the_flag() {
  local out rc; out=$(R --rm --name bs-test --memory 12q busybox true 2>&1); rc=$?
  expect_eq 125 $rc "exit code (docker's for its own errors)" && expect_contains "$out" '--memory "12q": not a size' && expect_clean bs-test
}

test_cpuset_outside_machine_refused_and_clean() {
  local out rc; out=$(R --rm --name cs-test --cpuset-cpus 99 busybox true 2>&1); rc=$?
  [ $rc -ne 0 ] && expect_contains "$out" 'cpuset cpus 99' && expect_clean cs-test
}

test_limit_refused_by_kernel_is_clean() {
  local out rc; out=$(R --rm --name lk-test --memory 64m --memory-swap 32m busybox true 2>&1); rc=$?
  [ $rc -ne 0 ] && expect_contains "$out" "memory-swap" && expect_clean lk-test
}

test_ebpf_device_filter_holds_without_v1_rules() {
  # On a hybrid host both the v1 devices controller and the eBPF program guard devices.
  # Opening the v1 controller to everything leaves the eBPF program alone deciding.
  local v1; v1=$(find /sys/fs/cgroup/devices -maxdepth 4 -type d -name ebpf-test -path '*locker*' 2>/dev/null)
  [ -d /sys/fs/cgroup/devices ] || { echo "no v1 devices controller: the device test above covers eBPF alone"; return 77; }
  R -d --name ebpf-test busybox sh -c 'sleep 1; mknod /tmp/sda b 8 0 > /tmp/out 2>&1; mknod /tmp/null2 c 1 3 && echo x > /tmp/null2 && echo null-ok >> /tmp/out; sleep 100' >/dev/null || return 1
  v1=$(find /sys/fs/cgroup/devices -maxdepth 4 -type d -name ebpf-test -path '*locker*' | head -n1)
  echo a > "$v1/devices.allow" || return 1
  expect_eq "a *:* rwm" "$(cat $v1/devices.list)" "v1 rules opened" || { L delete -f ebpf-test; return 1; }
  sleep 1.5
  local out; out=$(upper ebpf-test tmp/out)
  L delete -f ebpf-test
  expect_contains "$out" "Operation not permitted" "mknod of a disk" && expect_contains "$out" null-ok "an allowed device"
}

test_events_reports_an_oom_kill() {
  R -d --name ev-oom --memory 32m --memory-swap 32m busybox sh -c 'sleep 1; tail /dev/zero; sleep 100' >/dev/null || return 1
  wait_running ev-oom || return 1
  local out; out=$(timeout 6 "$LOCKER" --root "$ROOT" events --interval 30s ev-oom)
  L delete -f ev-oom
  expect_contains "$out" '"type":"oom"' "events output" && expect_contains "$out" '"type":"stats"' "events output"
}

test_unified_resources() {
  # linux.resources.unified writes cgroup v2 files directly; without a v2 pids controller the
  # write is refused with the key and value named, and nothing is left.
  local b=/tmp/lim-unified; new_bundle $b sh -c 'cat /sys/fs/cgroup/pids.max'
  edit_config $b 'c["linux"]["resources"]["unified"] = {"pids.max": "7"}'
  local out rc; out=$(L run -b $b lim-unified 2>&1); rc=$?
  if [ -d /sys/fs/cgroup/pids ] || ! grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    [ $rc -ne 0 ] && expect_contains "$out" "linux.resources.unified pids.max=7" && expect_clean lim-unified
  else
    expect_eq 0 $rc "exit code" && expect_eq 7 "$out" "pids.max inside"
  fi
}
