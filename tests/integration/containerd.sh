# containerd running its containers through its runc shim (io.containerd.runc.v2), with the
# shim's runc binary pointed at Locker. A containerd of the test's own, on a private socket.

CTD=/tmp/locker-ctd
C() { ctr --address $CTD/containerd.sock -n locker-test "$@"; }

# start_containerd: a private containerd, and the busybox image imported from a docker archive
# made with podman from the test rootfs. stop_containerd undoes it.
start_containerd() {
  command -v containerd >/dev/null && command -v ctr >/dev/null || { echo "containerd is not installed"; exit 77; }
  command -v podman >/dev/null || { echo "podman (used to make the image archive) is not installed"; exit 77; }
  mkdir -p $CTD
  cat > $CTD/config.toml <<T
version = 2
root = "$CTD/root"
state = "$CTD/state"
[grpc]
  address = "$CTD/containerd.sock"
T
  containerd --config $CTD/config.toml > $CTD/log 2>&1 &
  echo $! > $CTD/pid
  for i in $(seq 50); do C version >/dev/null 2>&1 && break; sleep 0.1; done
  if ! C images ls -q | grep -q locker-busybox; then
    if [ ! -f $CTD/bb.tar ]; then
      tar -C "$BBROOT" -cf $CTD/rootfs.tar . || return 1
      podman import $CTD/rootfs.tar localhost/locker-busybox:latest >/dev/null || return 1
      podman save --format docker-archive -o $CTD/bb.tar localhost/locker-busybox:latest >/dev/null 2>&1 || return 1
    fi
    C images import $CTD/bb.tar >/dev/null || return 1
  fi
}
stop_containerd() {
  local pid; pid=$(cat $CTD/pid 2>/dev/null)
  [ -n "$pid" ] && kill $pid && wait $pid 2>/dev/null
  return 0
}
IMG=localhost/locker-busybox:latest

test_containerd_run_output_and_exit_code() {
  start_containerd || { stop_containerd; return 1; }
  local out rc; out=$(C run --rm --runc-binary "$LOCKER" $IMG ctd-run sh -c 'echo hello from containerd; readlink /proc/self/ns/pid; exit 3'); rc=$?
  stop_containerd
  expect_eq 3 $rc "exit code" && expect_contains "$out" "hello from containerd" && expect_not_contains "$out" "$(readlink /proc/self/ns/pid)" "pid namespace"
}

test_containerd_detached_exec_kill() {
  start_containerd || { stop_containerd; return 1; }
  C run -d --runc-binary "$LOCKER" $IMG ctd-det sleep 100 >/dev/null || { stop_containerd; return 1; }
  sleep 0.5
  local st; st=$(C task ls | awk '$1=="ctd-det" {print $3}')
  local ex; ex=$(C task exec --exec-id e1 ctd-det sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "')
  C task kill -s KILL ctd-det
  for i in $(seq 50); do C task ls | grep ctd-det | grep -q STOPPED && break; sleep 0.1; done
  local after; after=$(C task ls | awk '$1=="ctd-det" {print $3}')
  C task rm ctd-det >/dev/null 2>&1; C container rm ctd-det >/dev/null 2>&1
  stop_containerd
  expect_eq RUNNING "$st" "task status" && expect_contains "$ex" "in-exec" && expect_contains "$ex" "sleep 100" && expect_eq STOPPED "$after" "after kill"
}

test_containerd_memory_limit() {
  # ctr's spec mounts no cgroupfs inside, so the limit is read from the host's side.
  start_containerd || { stop_containerd; return 1; }
  C run -d --runc-binary "$LOCKER" --memory-limit 67108864 $IMG ctd-mem sleep 100 >/dev/null || { stop_containerd; return 1; }
  sleep 0.5
  local f; f=$(find /sys/fs/cgroup -maxdepth 4 -path '*ctd-mem*' \( -name memory.limit_in_bytes -o -name memory.max \) | head -n1)
  local out; out=$(cat "$f" 2>/dev/null)
  C task kill -s KILL ctd-mem; sleep 0.3; C task rm ctd-mem >/dev/null 2>&1; C container rm ctd-mem >/dev/null 2>&1
  stop_containerd
  expect_eq 67108864 "$out" "memory limit of the task's cgroup ($f)"
}

test_containerd_agrees_with_runc() {
  command -v runc >/dev/null || { echo "runc is not installed"; exit 77; }
  start_containerd || { stop_containerd; return 1; }
  local script='grep -E "^(Cap|NoNewPrivs|Seccomp:)" /proc/self/status; ls /dev; id; echo $$; exit 6'
  local l r rl rr
  l=$(C run --rm --runc-binary "$LOCKER" $IMG ctd-ref-l sh -c "$script" 2>&1); rl=$?
  r=$(C run --rm --runc-binary "$(command -v runc)" $IMG ctd-ref-r sh -c "$script" 2>&1); rr=$?
  stop_containerd
  expect_eq $rr $rl "exit code (runc vs locker)" && expect_eq "$r" "$l" "output (runc vs locker)"
}
