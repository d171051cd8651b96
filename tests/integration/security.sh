# Confinement: seccomp through libseccomp, default profile, and escape attempts.

R() { L run "$@"; }
# seccomp_bundle DIR PROFILE_PY ARGS...: a bundle whose linux.seccomp is the python expression PROFILE_PY.
seccomp_bundle() {
  local b=$1 prof=$2; shift 2
  new_bundle $b "$@" && edit_config $b "c['linux']['seccomp'] = $prof"
}

test_default_profile_is_on_and_blocks_namespaces_and_mount() {
  local out; out=$(R --rm busybox sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true 2>&1; mount -t tmpfs x /mnt 2>&1; true') || return 1
  expect_contains "$out" "Seccomp:	2" && expect_contains "$out" "Operation not permitted" && expect_contains "$out" "permission denied"
}

test_seccomp_unconfined_and_file() {
  expect_contains "$(R --rm --security-opt seccomp=unconfined busybox grep '^Seccomp:' /proc/self/status)" "Seccomp:	0" || return 1
  cat > /tmp/sec-profile.json <<'J'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
J
  local out; out=$(R --rm --security-opt seccomp=/tmp/sec-profile.json busybox sh -c 'mkdir /tmp/x 2>&1; true')
  expect_contains "$out" "Permission denied"
}

test_seccomp_errno_ret() {
  local b=/tmp/sec-errno
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}' sh -c 'mkdir /tmp/d 2>&1; true'
  expect_contains "$(L run -b $b sec-errno)" "No message of desired type"
}

test_seccomp_kill_process_and_trap() {
  local b=/tmp/sec-kill rc
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]}' mkdir /tmp/d
  L run -b $b sec-kill; rc=$?
  expect_eq 159 $rc "exit code (SIGSYS)" || return 1
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRAP"}]}' mkdir /tmp/d
  L run -b $b sec-kill; rc=$?
  expect_eq 159 $rc "exit code (SIGSYS from TRAP)"
}

test_seccomp_log_allows() {
  local b=/tmp/sec-log
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_LOG"}]}' sh -c 'mkdir /tmp/d && echo made'
  expect_eq made "$(L run -b $b sec-log)"
}

test_seccomp_argument_conditions() {
  local b=/tmp/sec-args
  # kill(pid, SIGUSR1) refused, kill(pid, 0) allowed.
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 10, "op": "SCMP_CMP_EQ"}]}]}' \
    sh -c 'sleep 5 & p=$!; kill -0 $p && echo zero-ok; kill -USR1 $p 2>&1 || echo usr1-refused; kill -9 $p'
  local out; out=$(L run -b $b sec-args)
  expect_contains "$out" zero-ok && expect_contains "$out" usr1-refused
}

test_seccomp_bad_action_names_the_field() {
  local b=/tmp/sec-bad
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]}' true
  local out; out=$(L create -b $b sec-bad 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" 'linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_EXPLODE"' && expect_clean sec-bad
}

test_seccomp_notify_sends_fd_to_listener() {
  local b=/tmp/sec-notify sock=/tmp/sec-notify.sock
  rm -f $sock /tmp/sec-notify.got
  python3 - $sock > /tmp/sec-notify.got <<'PY' &
import socket, sys, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 65536, 1)
st = json.loads(msg)
print("fds", len(fds), st["fds"], st["metadata"], st["state"]["id"])
import os
os.close(fds[0])   # with the listener gone, notified syscalls fail with ENOSYS
PY
  local lp=$!
  for i in $(seq 50); do [ -S $sock ] && break; sleep 0.1; done
  seccomp_bundle $b "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$sock', 'listenerMetadata': 'meta1', 'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}" sh -c 'sleep 1; mkdir /tmp/d 2>&1; true'
  local out; out=$(L run -b $b sec-notify 2>&1)
  wait $lp
  expect_eq "fds 1 ['seccompFd'] meta1 sec-notify" "$(cat /tmp/sec-notify.got)" "what the listener got" && expect_contains "$out" "Function not implemented"
}

test_spec_writes_a_seccomp_profile() {
  local d=/tmp/sec-spec; rm -rf $d; mkdir -p $d; (cd $d && L spec) || return 1
  python3 -c "import json; s=json.load(open('$d/config.json'))['linux']['seccomp']; assert s['defaultAction']=='SCMP_ACT_ERRNO' and len(s['syscalls'][0]['names'])>300, s['defaultAction']"
}

test_seccomp_trace_without_tracer_fails_the_call() {
  local b=/tmp/sec-trace
  # With no tracer attached, a SCMP_ACT_TRACE syscall fails with ENOSYS.
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_TRACE", "errnoRet": 1}]}' sh -c 'mkdir /tmp/d 2>&1; true'
  expect_contains "$(L run -b $b sec-trace)" "Function not implemented"
}

test_oom_score_adj_and_umask() {
  local b=/tmp/sec-oom; new_bundle $b sh -c 'cat /proc/self/oom_score_adj; umask'
  edit_config $b 'c["process"]["oomScoreAdj"] = 500; c["process"]["user"]["umask"] = 63'
  expect_eq "500 0077" "$(echo $(L run -b $b sec-oom))"
}

test_seccomp_unknown_syscall_names_the_entry() {
  local b=/tmp/sec-typo
  seccomp_bundle $b '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdri"], "action": "SCMP_ACT_ERRNO"}]}' true
  local out; out=$(L create -b $b sec-typo 2>&1) && fail "create succeeded" && return 1
  expect_contains "$out" 'linux.seccomp.syscalls[1].names: unknown syscall "mkdri"' && expect_clean sec-typo
}

test_seccomp_profile_that_does_not_parse() {
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "mkdir"}]' > /tmp/sec-broken.json
  local out rc; out=$(L run --rm --name sec-broken --security-opt seccomp=/tmp/sec-broken.json busybox true 2>&1); rc=$?
  [ $rc -ne 0 ] && expect_contains "$out" "/tmp/sec-broken.json" && expect_clean sec-broken
}
