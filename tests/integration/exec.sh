# exec: a new process in a running container, with the container's namespaces, cgroup and confinement.

start_sleeper() { L run -d --name $1 "${@:2}" busybox sleep 100 >/dev/null && for i in $(seq 50); do L state $1 | grep -q running && return 0; sleep 0.1; done; return 1; }
cpid() { L state $1 | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p'; }

test_exec_joins_namespaces_and_cgroup() {
  start_sleeper ex-ns || return 1
  local pid; pid=$(cpid ex-ns)
  local out; out=$(L exec ex-ns sh -c 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done; echo $$')
  local want=""; for n in pid net ipc uts mnt cgroup; do want="$want$(readlink /proc/$pid/ns/$n) "; done
  local got; got=$(echo "$out" | head -n6 | tr '\n' ' ')
  local inner; inner=$(echo "$out" | tail -n1)
  local cg; cg=$(find /sys/fs/cgroup -maxdepth 5 -type d -name ex-ns -path '*locker*' | head -n1)
  L exec -d --pid-file /tmp/ex-ns.pid ex-ns sleep 3 || { L delete -f ex-ns; return 1; }
  local epid; epid=$(cat /tmp/ex-ns.pid)
  local incg; incg=$(grep -c "^$epid$" $cg/cgroup.procs)
  L delete -f ex-ns
  expect_eq "$want" "$got" "namespaces" && [ "$inner" -gt 1 ] && expect_eq 1 "$incg" "exec'd process in the container's cgroup"
}

test_exec_exit_code_env_user_cwd() {
  start_sleeper ex-basic || return 1
  L exec ex-basic sh -c 'exit 9'; local rc=$?
  local out; out=$(L exec -e FOO=bar -u 1000:1000 --cwd /tmp ex-basic sh -c 'echo $FOO $(id -u) $(id -g) $(pwd)')
  L delete -f ex-basic
  expect_eq 9 $rc "exit code" && expect_eq "bar 1000 1000 /tmp" "$out"
}

test_exec_same_confinement() {
  start_sleeper ex-conf || return 1
  local pid; pid=$(cpid ex-conf)
  local want; want=$(grep -E "^(CapEff|CapBnd|Seccomp):" /proc/$pid/status | tr '\n' ' ')
  local got; got=$(L exec ex-conf grep -E "^(CapEff|CapBnd|Seccomp):" /proc/self/status | tr '\n' ' ')
  L delete -f ex-conf
  expect_eq "$want" "$got" "capabilities and seccomp of exec vs init"
}

test_exec_process_json_and_stdin() {
  start_sleeper ex-json || return 1
  cat > /tmp/ex-json.json <<'J'
{"args": ["sh", "-c", "read x; echo got $x as $(id -u)"], "cwd": "/", "user": {"uid": 2, "gid": 2}, "env": ["PATH=/bin"]}
J
  local out; out=$(echo hello | L exec -p /tmp/ex-json.json ex-json)
  L delete -f ex-json
  expect_eq "got hello as 2" "$out"
}

test_exec_refused_in_stopped_and_paused() {
  L run --name ex-stop busybox true || return 1
  local out; out=$(L exec ex-stop true 2>&1) && fail "exec into a stopped container" && return 1
  expect_contains "$out" "stopped" || return 1
  L delete ex-stop
  start_sleeper ex-pause || return 1
  L pause ex-pause
  out=$(L exec ex-pause true 2>&1); local rc=$?
  L resume ex-pause; L delete -f ex-pause
  [ $rc -ne 0 ] && expect_contains "$out" "paused"
}

test_exec_not_found_is_127() {
  start_sleeper ex-nf || return 1
  L exec ex-nf nosuch 2>/dev/null; local rc=$?
  L delete -f ex-nf
  expect_eq 127 $rc
}

test_exec_tty() {
  start_sleeper ex-tty || return 1
  python3 "$TESTS/pty_session.py" --type 'tty; echo $((6*7)); exit 4' --expect 42 --expect /dev/pts/ \
    --exit 4 -- "$LOCKER" --root "$ROOT" exec -it ex-tty sh
  local rc=$?
  L delete -f ex-tty
  return $rc
}

test_exec_bad_process_json_names_the_field() {
  start_sleeper ex-badjson || return 1
  echo '{"args": "not-a-list", "cwd": "/", "user": {"uid": 0, "gid": 0}}' > /tmp/ex-bad.json
  local out rc; out=$(L exec -p /tmp/ex-bad.json ex-badjson 2>&1); rc=$?
  local procs; procs=$(L ps --format json ex-badjson)
  L delete -f ex-badjson
  [ $rc -ne 0 ] && expect_contains "$out" "args: expected a list" && expect_eq "1" "$(echo "$procs" | tr ',' '\n' | wc -l)" "processes after the failed exec"
}

test_exec_into_unknown_container() {
  local out rc; out=$(L exec no-such-ctr true 2>&1); rc=$?
  [ $rc -ne 0 ] && expect_contains "$out" 'container "no-such-ctr" does not exist'
}

test_console_socket_that_does_not_exist() {
  local b=/tmp/ex-nosock; new_bundle $b sh; edit_config $b 'c["process"]["terminal"] = True'
  local out rc; out=$(L create -b $b --console-socket /tmp/no/such.sock ex-nosock 2>&1); rc=$?
  [ $rc -ne 0 ] && expect_contains "$out" "connect to /tmp/no/such.sock: ENOENT" && expect_clean ex-nosock
}

# exec reads what it inherits from exec.json (written by create); without it, from config.json.
test_exec_without_saved_defaults_uses_config() {
  start_sleeper ex-nodef || return 1
  local dir="$ROOT/ex-nodef"
  [ -f "$dir/exec.json" ] || { L delete -f ex-nodef; fail "create wrote no exec.json"; return 1; }
  local want; want=$(L exec ex-nodef grep -E "^(CapEff|Seccomp):" /proc/self/status | tr '\n' ' ')
  rm -f "$dir/exec.json"
  local got; got=$(L exec -e X=1 ex-nodef sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; echo $X' | tr '\n' ' ')
  local again=no; [ -f "$dir/exec.json" ] && again=yes
  L delete -f ex-nodef
  expect_eq "${want}1 " "$got" "confinement without exec.json" && expect_eq yes "$again" "exec.json rebuilt"
}

# The hot commands are parsed by hand (FastPath); anything else goes to ArgumentParser,
# which must still give its help and its errors.
test_exec_fast_and_full_parsers_agree() {
  start_sleeper ex-parse || return 1
  local a; a=$(L exec --env=A=1 -e B=2 --cwd=/tmp ex-parse sh -c 'echo $A$B $(pwd)')
  local b; b=$(L exec ex-parse -- sh -c 'echo dashdash')
  local c; c=$(L exec ex-parse echo -n -e 'x')
  local help; help=$(L exec --help)
  local bad; bad=$(L exec --bogus ex-parse true 2>&1); local brc=$?
  local badc; badc=$(L create --bogus x 2>&1); local crc=$?
  local miss; miss=$(L exec 2>&1); local mrc=$?
  L delete -f ex-parse
  expect_eq "12 /tmp" "$a" "inline and separate option values" && expect_eq dashdash "$b" "-- before the command" &&
    expect_eq x "$c" "the command's own flags stay the command's" &&
    expect_contains "$help" "USAGE: locker exec" && [ $brc -ne 0 ] && expect_contains "$bad" "Unknown option '--bogus'" &&
    [ $crc -ne 0 ] && expect_contains "$badc" "Unknown option '--bogus'" &&
    [ $mrc -ne 0 ] && expect_contains "$miss" "Missing expected argument '<id>'"
}
