# The OCI lifecycle in runc's shape: create, state, start, kill, delete, run; exit codes and errors.

test_run_prints_and_exits_with_code() {
  local b=/tmp/lt-run; new_bundle $b sh -c 'echo out; echo err >&2; exit 7'
  local out rc
  out=$(L run -b $b lt-run 2>&1); rc=$?
  expect_eq 7 $rc "exit code" && expect_contains "$out" out && expect_contains "$out" err && expect_clean lt-run
}

test_create_start_state_delete() {
  local b=/tmp/lt-cycle; new_bundle $b sleep 100
  L create -b $b lt-cycle || return 1
  local st; st=$(L state lt-cycle)
  expect_contains "$st" '"status" : "created"' || return 1
  local pid; pid=$(echo "$st" | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  [ -n "$pid" ] && [ -d /proc/$pid ] || fail "no process $pid" || return 1
  # Until start, the process waits: it has not exec'd sleep.
  expect_not_contains "$(cat /proc/$pid/cmdline | tr '\0' ' ')" "sleep 100" "cmdline before start" || return 1
  L start lt-cycle || return 1
  expect_contains "$(L state lt-cycle)" '"status" : "running"' || return 1
  expect_contains "$(cat /proc/$pid/cmdline | tr '\0' ' ')" "sleep 100" "cmdline after start" || return 1
  local msg; msg=$(L delete lt-cycle 2>&1) && fail "delete of a running container succeeded" && return 1
  expect_contains "$msg" "cannot delete container lt-cycle that is not stopped: running" || return 1
  L kill lt-cycle KILL || return 1
  for i in $(seq 50); do L state lt-cycle | grep -q stopped && break; sleep 0.1; done
  expect_contains "$(L state lt-cycle)" '"status" : "stopped"' || return 1
  L delete lt-cycle || return 1
  expect_clean lt-cycle
}

test_delete_force_running() {
  local b=/tmp/lt-force; new_bundle $b sleep 100
  L run -d -b $b lt-force || return 1
  L delete --force lt-force || return 1
  expect_clean lt-force
}

test_duplicate_id_refused() {
  local b=/tmp/lt-dup; new_bundle $b sleep 100
  L create -b $b lt-dup || return 1
  local msg; msg=$(L create -b $b lt-dup 2>&1) && { L delete -f lt-dup; fail "second create succeeded"; return 1; }
  L delete -f lt-dup
  expect_contains "$msg" 'container "lt-dup" already exists' && expect_clean lt-dup
}

test_missing_executable_fails_at_create_and_cleans_up() {
  local b=/tmp/lt-noexec; new_bundle $b /no/such/program
  local msg; msg=$(L create -b $b lt-noexec 2>&1) && fail "create succeeded" && return 1
  expect_contains "$msg" 'exec: "/no/such/program"' && expect_clean lt-noexec
}

test_bad_config_names_the_field() {
  local b=/tmp/lt-bad; new_bundle $b true
  edit_config $b 'c["process"]["user"]["uid"] = "zero"'
  local msg; msg=$(L create -b $b lt-bad 2>&1) && fail "create succeeded" && return 1
  expect_contains "$msg" "process.user.uid" && expect_clean lt-bad || return 1
  new_bundle $b true
  edit_config $b 'c["linux"]["namespaces"].append({"type": "bogus"})'
  msg=$(L create -b $b lt-bad 2>&1) && fail "create succeeded" && return 1
  expect_contains "$msg" 'linux.namespaces[6].type: unknown namespace "bogus"' && expect_clean lt-bad
}

test_failed_mount_leaves_nothing() {
  local b=/tmp/lt-mnt; new_bundle $b true
  edit_config $b 'c["mounts"].append({"destination": "/data", "type": "bind", "source": "/no/such/dir", "options": ["rbind"]})'
  local msg; msg=$(L create -b $b lt-mnt 2>&1) && fail "create succeeded" && return 1
  expect_contains "$msg" "/no/such/dir: ENOENT" && expect_clean lt-mnt
}

test_kill_sends_the_signal() {
  local b=/tmp/lt-kill; new_bundle $b sh -c 'trap "echo got-usr1 > /tmp/sig; exit 0" USR1; while true; do sleep 0.1; done'
  L run -d -b $b lt-kill || return 1
  sleep 0.3
  L kill lt-kill USR1 || return 1
  for i in $(seq 50); do L state lt-kill | grep -q stopped && break; sleep 0.1; done
  local got; got=$(cat $b/rootfs/tmp/sig 2>/dev/null)
  L delete -f lt-kill
  expect_eq got-usr1 "$got" "signal seen inside"
}

test_state_of_unknown_container() {
  local msg; msg=$(L state no-such-container 2>&1) && fail "state succeeded" && return 1
  expect_contains "$msg" 'container "no-such-container" does not exist'
}

test_invalid_id_refused() {
  local b=/tmp/lt-id; new_bundle $b true
  local msg; msg=$(L create -b $b ../evil 2>&1) && fail "create succeeded" && return 1
  expect_contains "$msg" 'invalid container id' && [ ! -e "$ROOT/../evil" ]
}

test_spec_refuses_to_overwrite() {
  local d=/tmp/lt-spec; rm -rf $d; mkdir -p $d
  (cd $d && L spec) || return 1
  python3 -c "import json; c=json.load(open('$d/config.json')); assert c['process']['args']==['sh']" || return 1
  local msg; msg=$(cd $d && L spec 2>&1) && fail "second spec succeeded" && return 1
  expect_contains "$msg" "exists"
}

test_list_shows_containers() {
  local b=/tmp/lt-list; new_bundle $b sleep 100
  L create -b $b lt-list || return 1
  local out; out=$(L list)
  L delete -f lt-list
  expect_contains "$out" "lt-list" && expect_contains "$out" "created"
}

test_pid_file_written() {
  local b=/tmp/lt-pid; new_bundle $b sleep 100
  L create -b $b --pid-file $b/pid lt-pid || return 1
  local want; want=$(L state lt-pid | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  local got; got=$(cat $b/pid)
  L delete -f lt-pid
  expect_eq "$want" "$got" "pid file"
}

test_hooks_run_in_order() {
  local b=/tmp/lt-hooks; new_bundle $b true
  local d=/tmp/lt-hooks.d; rm -rf $d; mkdir -p $d
  # The same path inside the container, so startContainer (which runs there) can log too.
  edit_config $b '
h = lambda name: {"path": "/bin/sh", "args": ["sh", "-c", "read s; echo %s \"$s\" >> /tmp/lt-hooks.d/log" % name]}
c["hooks"] = {k: [h(k)] for k in ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]}
c["mounts"].append({"destination": "/tmp/lt-hooks.d", "type": "bind", "source": "/tmp/lt-hooks.d", "options": ["rbind"]})'
  L run -b $b lt-hooks || return 1
  local got; got=$(cut -d" " -f1 $d/log | tr '\n' ' ')
  expect_eq "prestart createRuntime createContainer startContainer poststart poststop " "$got" "hook order" || return 1
  expect_contains "$(grep ^createRuntime $d/log)" '"status":"creating"' || return 1
  expect_contains "$(grep ^startContainer $d/log)" '"status":"created"' || return 1
  expect_contains "$(grep ^poststop $d/log)" '"status":"stopped"'
}

test_not_executable_is_126() {
  local b=/tmp/lt-126; new_bundle $b /etc/passwd
  local out rc; out=$(L run -b $b lt-126 2>&1); rc=$?
  expect_eq 126 $rc "exit code" && expect_contains "$out" "/etc/passwd" && expect_clean lt-126
}

test_not_found_is_127() {
  local b=/tmp/lt-127; new_bundle $b nosuchcommand
  local out rc; out=$(L run -b $b lt-127 2>&1); rc=$?
  expect_eq 127 $rc "exit code" && expect_contains "$out" 'exec: "nosuchcommand": executable file not found in $PATH' && expect_clean lt-127
}

test_bad_signal_name() {
  local b=/tmp/lt-sig; new_bundle $b sleep 100
  L create -b $b lt-sig || return 1
  local out rc; out=$(L kill lt-sig SIGNOPE 2>&1); rc=$?
  L delete -f lt-sig
  [ $rc -ne 0 ] && expect_contains "$out" 'unknown signal "SIGNOPE"'
}

test_missing_rootfs() {
  local b=/tmp/lt-noroot; new_bundle $b true; rm -rf $b/rootfs
  local out; out=$(L create -b $b lt-noroot 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" "root.path $b/rootfs: ENOENT" && expect_clean lt-noroot
}

test_log_json_on_error() {
  rm -f /tmp/lt-log.json
  L --log /tmp/lt-log.json --log-format json state no-such-thing 2>/dev/null && return 1
  python3 -c "import json; d=json.loads(open('/tmp/lt-log.json').readline()); assert d['level']=='error' and 'no-such-thing' in d['msg'], d"
}

test_join_namespace_by_path() {
  local b1=/tmp/lt-join1 b2=/tmp/lt-join2
  new_bundle $b1 sleep 100; new_bundle $b2 sh -c 'hostname; readlink /proc/self/ns/net'
  edit_config $b1 'c["hostname"] = "shared-uts"'
  L run -d -b $b1 lt-join1 || return 1
  local pid; pid=$(L state lt-join1 | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  edit_config $b2 "c['hostname'] = None; c['linux']['namespaces'] = [n if n['type'] not in ('uts','network') else {'type': n['type'], 'path': '/proc/$pid/ns/' + ('net' if n['type']=='network' else 'uts')} for n in c['linux']['namespaces']]"
  local out; out=$(L run -b $b2 lt-join2)
  local want; want=$(readlink /proc/$pid/ns/net)
  L delete -f lt-join1
  expect_eq "shared-uts $want" "$(echo $out)" "hostname and net ns joined"
}

test_trace_shows_each_step() {
  local b=/tmp/lt-trace; new_bundle $b true
  local out; out=$(L --trace run -b $b lt-trace 2>&1) || return 1
  for step in "namespace pid: pid:[" "mount proc on /proc" "pivot_root" "sethostname" "switch user" "exec /bin/true"; do
    expect_contains "$out" "$step" "trace" || return 1
  done
}

test_inspect_from_the_host() {
  local b=/tmp/lt-insp; new_bundle $b sleep 100
  L run -d -b $b lt-insp || return 1
  local out; out=$(L inspect lt-insp)
  L delete -f lt-insp
  python3 - "$out" <<'PY'
import json, sys, os
i = json.loads(sys.argv[1])
assert i["status"] == "running", i["status"]
ns = {n["type"]: n for n in i["namespaces"]}
assert not ns["pid"]["shared"] and not ns["mount"]["shared"], ns
assert ns["user"]["shared"], ns["user"]
assert any(m.startswith("/ ") for m in i["mounts"]), i["mounts"]
assert i["hostPid"] > 0
PY
}

test_delete_force_after_killed_runtime() {
  # A createRuntime hook kills `locker create` itself mid-way.
  local b=/tmp/lt-killed; new_bundle $b true
  edit_config $b 'c["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID"]}]}'
  L create -b $b lt-killed 2>/dev/null && fail "create survived" && return 1
  sleep 0.2
  [ -n "$(leftovers lt-killed)" ] || fail "nothing was left to clean (the test did not bite)" || return 1
  L delete --force lt-killed || return 1
  expect_clean lt-killed
}

test_absolute_cgroups_path_and_namespace() {
  local b=/tmp/lt-cgpath; new_bundle $b sh -c 'cat /proc/self/cgroup; sleep 100'
  edit_config $b 'c["linux"]["cgroupsPath"] = "/locker-abs-test/lt-cgpath"'
  L run -d -b $b lt-cgpath > /tmp/lt-cgpath.out || return 1
  # v1: the pids hierarchy; v2: the unified tree.
  local dir=/sys/fs/cgroup/pids/locker-abs-test/lt-cgpath
  [ -d /sys/fs/cgroup/pids ] || dir=/sys/fs/cgroup/locker-abs-test/lt-cgpath
  [ -d $dir ] || fail "no cgroup at the absolute path" || { L delete -f lt-cgpath; return 1; }
  local pid; pid=$(L state lt-cgpath | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  grep -q "^$pid$" $dir/cgroup.procs || fail "process not in the cgroup" || { L delete -f lt-cgpath; return 1; }
  L delete -f lt-cgpath || return 1
  rmdir /sys/fs/cgroup/*/locker-abs-test /sys/fs/cgroup/locker-abs-test 2>/dev/null
  [ ! -d $dir ] || fail "cgroup left behind"
}

test_console_socket_receives_the_pty_master() {
  local b=/tmp/lt-console sock=/tmp/lt-console.sock; new_bundle $b sh
  edit_config $b 'c["process"]["terminal"] = True'
  rm -f $sock
  python3 - $sock "$LOCKER" "$ROOT" $b <<'PY'
import os, socket, subprocess, sys, time, select
path, locker, root, bundle = sys.argv[1:5]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind(path); srv.listen(1)
p = subprocess.Popen([locker, "--root", root, "create", "-b", bundle, "--console-socket", path, "lt-console"])
srv.settimeout(10)
c, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(c, 4096, 1)
assert p.wait() == 0
assert len(fds) == 1, fds
m = fds[0]
assert os.isatty(m)
subprocess.check_call([locker, "--root", root, "start", "lt-console"])
os.write(m, b"tty; echo $((2+3))x; exit\n")
buf = b""; end = time.time() + 10
while time.time() < end and b"5x" not in buf:
    r, _, _ = select.select([m], [], [], 0.2)
    if r:
        try: buf += os.read(m, 4096)
        except OSError: break
assert b"5x" in buf and (b"/dev/console" in buf or b"/dev/pts/" in buf), buf
PY
  local rc=$?
  L delete -f lt-console
  return $rc
}

test_ps_lists_the_containers_processes() {
  local b=/tmp/lt-ps; new_bundle $b sh -c 'sleep 100 & sleep 100'
  L run -d -b $b lt-ps || return 1
  sleep 0.3
  local out; out=$(L ps --format json lt-ps)
  L delete -f lt-ps
  [ "$(echo "$out" | tr ',' '\n' | wc -l)" -eq 2 ] || fail "want 2 pids: $out"
}

test_features_is_valid_json() {
  L features | python3 -c 'import json,sys; f=json.load(sys.stdin); assert "SCMP_ACT_NOTIFY" in f["linux"]["seccomp"]["actions"] and "CAP_CHOWN" in f["linux"]["capabilities"]'
}

test_systemd_cgroup_answered_clearly() {
  [ -d /run/systemd/system ] && { echo "systemd runs here"; return 77; }
  local b=/tmp/lt-sd; new_bundle $b true
  local out; out=$(L --systemd-cgroup create -b $b lt-sd 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" "systemd is not running on this host" && expect_clean lt-sd || return 1
  # Other commands accept the flag, as engines pass it to each.
  expect_contains "$(L --systemd-cgroup list)" "ID"
}

test_no_pivot() {
  local b=/tmp/lt-nopivot; new_bundle $b sh -c 'ls / | head -3; cat /proc/self/mountinfo | wc -l'
  local out; out=$(L run --no-pivot -b $b lt-nopivot) || return 1
  expect_contains "$out" "bin" && expect_clean lt-nopivot
}

test_spec_rootless_maps_the_caller() {
  local d=/tmp/lt-rootless; rm -rf $d; mkdir -p $d; (cd $d && L spec --rootless) || return 1
  python3 -c "
import json; c=json.load(open('$d/config.json'))
assert {'type': 'user'} in c['linux']['namespaces'], c['linux']['namespaces']
assert c['linux']['uidMappings'] == [{'containerID': 0, 'hostID': 0, 'size': 1}], c['linux']['uidMappings']"
}

# create returns as soon as the container's process reports ready; that process must not
# die with its parent then (it once kept a parent-death signal a moment too long, which a
# fast state root, a tmpfs, turned into a dead container at start).
test_create_then_start_on_a_fast_state_root() {
  local d; d=$(mktemp -d /tmp/lt-fast.XXXXXX)
  mount -t tmpfs tmpfs "$d" || return 1
  new_bundle /tmp/lt-fast-b sleep 100 || { umount "$d"; return 1; }
  local fails=0 i
  for i in $(seq 25); do
    "$LOCKER" --root "$d/st" create -b /tmp/lt-fast-b fast-$i >/dev/null 2>&1 || fails=$((fails + 1))
    "$LOCKER" --root "$d/st" start fast-$i 2>/dev/null || fails=$((fails + 1))
    "$LOCKER" --root "$d/st" delete -f fast-$i 2>/dev/null
  done
  umount "$d"; rmdir "$d"; rm -rf /tmp/lt-fast-b
  expect_eq 0 $fails "failed creates or starts out of 25"
}
