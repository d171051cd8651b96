# `locker run IMAGE CMD` as docker users expect it.

R() { L run "$@"; }

test_run_image_default_and_exit_code() {
  local out rc
  out=$(R --rm busybox sh -c 'echo hi from $(hostname); exit 3'); rc=$?
  expect_eq 3 $rc "exit code" && expect_contains "$out" "hi from"
}

test_exit_code_of_a_signal_is_128_plus_n() {
  # PID 1 ignores signals it has no handler for, except SIGKILL from outside.
  "$LOCKER" --root "$ROOT" run --rm --name kill-test busybox sleep 100 &
  local pid=$!
  for i in $(seq 50); do L state kill-test 2>/dev/null | grep -q running && break; sleep 0.1; done
  L kill kill-test KILL || return 1
  wait $pid; local rc=$?
  expect_eq 137 $rc "exit code after SIGKILL"
}

test_command_not_found_is_127_and_cleans_up() {
  local out rc
  out=$(R --rm --name nf-test busybox /no/such 2>&1); rc=$?
  expect_eq 127 $rc "exit code" && expect_contains "$out" "/no/such" && expect_clean nf-test || return 1
  [ ! -e "$LOCKER_DATA/containers/nf-test" ] || fail "bundle left behind"
}

test_unknown_image_is_125() {
  # No registry is reachable here: the pull fails, and run says why, with docker's exit code.
  local out rc
  out=$(R --rm no-such-image true 2>&1); rc=$?
  expect_eq 125 $rc "exit code" && expect_contains "$out" 'image "no-such-image" is not in the local store' &&
    expect_contains "$out" "pulling it failed" || return 1
  out=$(R --rm --pull=never no-such-image true 2>&1); rc=$?
  expect_eq 125 $rc "exit code with --pull=never" && expect_contains "$out" "--pull=never"
}

test_rm_leaves_nothing() {
  R --rm --name rm-test busybox true || return 1
  expect_clean rm-test || return 1
  [ ! -e "$LOCKER_DATA/containers/rm-test" ] || fail "bundle left behind" || return 1
  grep -q "rm-test" /proc/self/mountinfo && fail "overlay still mounted"
  return 0
}

test_without_rm_the_container_stays_until_delete() {
  R --name keep-test busybox sh -c 'echo data > /kept' || return 1
  expect_contains "$(L state keep-test)" '"status" : "stopped"' || return 1
  [ -f "$LOCKER_DATA/containers/keep-test/upper/kept" ] || fail "writable layer lost" || return 1
  L delete keep-test || return 1
  expect_clean keep-test && [ ! -e "$LOCKER_DATA/containers/keep-test" ]
}

test_writes_do_not_touch_the_image() {
  R --rm busybox sh -c 'echo x > /bin/newfile; rm /bin/ls' || return 1
  local img; img=$(L image inspect busybox | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["LayerDirectories"][0])')
  [ -d "$img/bin" ] || { fail "no layer directory for busybox: [$img]"; return 1; }
  [ ! -e "$img/bin/newfile" ] && [ -e "$img/bin/ls" ] || fail "the image changed"
}

test_env_workdir_user_hostname() {
  local out; out=$(R --rm -e A=1 -e "B=two words" -w /tmp -u app --hostname hal busybox sh -c 'echo "$A|$B|$(pwd)|$(id -un)|$(hostname)|$HOME"') || return 1
  expect_eq "1|two words|/tmp|app|hal|/home/app" "$out"
}

test_env_file() {
  printf 'X=1\n# comment\nY=from file\n' > /tmp/envfile-test
  local out; out=$(R --rm --env-file /tmp/envfile-test busybox sh -c 'echo "$X $Y"') || return 1
  expect_eq "1 from file" "$out"
}

test_user_uid_gid_numbers() {
  local out; out=$(R --rm -u 4242:4343 busybox sh -c 'echo $(id -u) $(id -g)') || return 1
  expect_eq "4242 4343" "$out"
}

test_unknown_user_refused() {
  local out rc; out=$(R --rm -u nobody-here busybox true 2>&1); rc=$?
  expect_eq 125 $rc && expect_contains "$out" "unable to find user nobody-here"
}

test_volume_bind_and_readonly() {
  local d=/tmp/people-vol; rm -rf $d; mkdir -p $d; echo hostfile > $d/in
  local out; out=$(R --rm -v $d:/data -v $d:/ro:ro busybox sh -c 'cat /data/in; echo out > /data/out; echo x > /ro/x 2>&1 || echo ro-refused') || return 1
  expect_contains "$out" hostfile && expect_contains "$out" ro-refused && expect_eq out "$(cat $d/out)"
}

test_named_volume_persists() {
  R --rm -v pvol-test:/v busybox sh -c 'echo kept > /v/f' || return 1
  expect_eq kept "$(R --rm -v pvol-test:/v busybox cat /v/f)"
}

test_tmpfs_and_read_only() {
  local out; out=$(R --rm --read-only --tmpfs /scratch busybox sh -c '(echo x > /x) 2>&1; echo y > /scratch/y && echo tmpfs-ok; true') || return 1
  expect_contains "$out" "Read-only file system" && expect_contains "$out" tmpfs-ok
}

test_network_none_and_host() {
  local none host
  none=$(R --rm busybox ls /sys/class/net) || return 1
  expect_eq lo "$none" "interfaces with --network none" || return 1
  host=$(R --rm --network host busybox readlink /proc/self/ns/net) || return 1
  expect_eq "$(readlink /proc/self/ns/net)" "$host" "net namespace with --network host"
}

test_stdin_passed_with_i() {
  local out; out=$(echo piped | R --rm -i busybox cat) || return 1
  expect_eq piped "$out"
}

test_stdin_closed_without_i() {
  local out; out=$(echo piped | R --rm busybox cat) || return 1
  expect_eq "" "$out"
}

test_detached_logs_and_delete() {
  local id; id=$(R -d --name det-test busybox sh -c 'echo started; sleep 100') || return 1
  expect_eq det-test "$id" || return 1
  sleep 0.3
  expect_contains "$(L state det-test)" '"status" : "running"' || return 1
  expect_contains "$(L logs det-test)" started || return 1
  L delete -f det-test || return 1
  expect_clean det-test
}

test_signals_are_forwarded() {
  "$LOCKER" --root "$ROOT" run --rm --name sig-test busybox sh -c 'trap "echo got-term; exit 0" TERM; while true; do sleep 0.1; done' > /tmp/sig-test.out &
  local pid=$!
  for i in $(seq 50); do L state sig-test 2>/dev/null | grep -q running && break; sleep 0.1; done
  sleep 0.2
  kill -TERM $pid
  wait $pid; local rc=$?
  expect_eq 0 $rc "exit code" && expect_contains "$(cat /tmp/sig-test.out)" got-term
}

test_tty_interactive() {
  python3 "$TESTS/pty_session.py" --type 'tty; echo $((6*7)); stty size; exit 3' --expect 42 --expect '/dev/pts/0|/dev/console' \
    --exit 3 -- "$LOCKER" --root "$ROOT" run -it --rm busybox sh
}

test_init_reaps_and_forwards() {
  local out; out=$(R --rm --init busybox sh -c 'echo $$; (sleep 0.1 &) ; sleep 0.3; ps -o pid,stat,comm | grep -c " Z " ; true') || return 1
  # With --init the shell is not PID 1, and the orphaned sleep is reaped (no zombies).
  expect_eq 2 "$(echo "$out" | head -n1)" "pid of the shell" && expect_eq 0 "$(echo "$out" | tail -n1)" "zombies"
}

test_userns_auto_maps_root() {
  local d=/tmp/people-userns; rm -rf $d; mkdir -p $d; chmod 777 $d
  local out; out=$(R --rm --userns=auto -v $d:/v busybox sh -c 'id -u; cat /proc/self/uid_map; touch /v/made') || return 1
  expect_eq 0 "$(echo "$out" | head -n1)" "uid inside" || return 1
  local host; host=$(echo "$out" | sed -n 2p | awk '{print $2}')
  [ "$host" -ge 100000 ] || fail "container root maps to a privileged host id: $out" || return 1
  expect_eq "$host" "$(stat -c %u $d/made)" "owner on the host of a file made inside"
}

test_caps_default_and_adjusted() {
  local def; def=$(R --rm busybox grep CapEff /proc/self/status | awk '{print $2}') || return 1
  expect_eq 00000000a80425fb "$def" "docker's default set" || return 1
  local dropped; dropped=$(R --rm --cap-drop ALL --cap-add NET_ADMIN busybox grep CapEff /proc/self/status | awk '{print $2}') || return 1
  expect_eq 0000000000001000 "$dropped" "only NET_ADMIN"
}

test_unknown_cap_refused() {
  local out rc; out=$(R --rm --cap-add CAP_NOPE busybox true 2>&1); rc=$?
  expect_eq 125 $rc && expect_contains "$out" 'unknown capability "CAP_NOPE"'
}
