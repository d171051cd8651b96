# Isolation, checked from inside the container.

run_in() { local b=$1; shift; new_bundle $b "$@" && L run -b $b "$(basename $b)"; }

test_pid_namespace_command_is_pid1() {
  local out; out=$(run_in /tmp/is-pid sh -c 'echo $$; ps -o pid,comm | wc -l') || return 1
  expect_eq "1" "$(echo "$out" | head -n1)" "pid of the shell" || return 1
  # ps header, sh, ps and wc: nothing of the host's.
  [ "$(echo "$out" | tail -n1)" -le 4 ] || fail "ps shows host processes: $out"
}

test_namespaces_differ_from_host() {
  local out; out=$(run_in /tmp/is-ns sh -c 'for n in pid net ipc uts mnt cgroup; do echo $n $(readlink /proc/self/ns/$n); done') || return 1
  for n in pid net ipc uts mnt cgroup; do
    local inside host
    inside=$(echo "$out" | awk -v n=$n '$1==n {print $2}')
    host=$(readlink /proc/self/ns/$n)
    [ -n "$inside" ] && [ "$inside" != "$host" ] || { fail "$n namespace is the host's ($host)"; return 1; }
  done
}

test_hostname_is_the_containers() {
  local b=/tmp/is-host; new_bundle $b hostname
  edit_config $b 'c["hostname"] = "boxy"'
  expect_eq boxy "$(L run -b $b is-host)" "hostname" && expect_eq "$(hostname)" "$(cat /proc/sys/kernel/hostname)"
}

test_root_is_pivoted_and_host_invisible() {
  local out; out=$(run_in /tmp/is-root sh -c 'ls /; cat /proc/self/mountinfo | head -n1; ls /work 2>&1; ls /opt 2>&1; true') || return 1
  expect_contains "$out" "No such file or directory" "ls of a host path" || return 1
  expect_not_contains "$out" "swift" "host's /opt" || return 1
  # The root of the mount table is the container's rootfs, not the host's /.
  expect_contains "$out" "/is-root/rootfs / " "first mount (the root)"
}

test_network_only_loopback_up() {
  local out; out=$(run_in /tmp/is-net sh -c 'ls /sys/class/net; ip link show lo') || return 1
  expect_eq "lo" "$(echo "$out" | head -n1)" "interfaces" || return 1
  expect_contains "$out" "UP" "loopback state"
}

test_proc_is_fresh_and_sys_read_only() {
  local out; out=$(run_in /tmp/is-proc sh -c 'ls /proc | grep -c "^[0-9]*$"; touch /sys/x 2>&1; echo 1 > /proc/sys/kernel/domainname 2>&1; true') || return 1
  [ "$(echo "$out" | head -n1)" -le 3 ] || fail "/proc shows host pids: $out" || return 1
  expect_contains "$out" "Read-only file system" "writing /sys or /proc/sys"
}

test_masked_paths_are_empty() {
  local out; out=$(run_in /tmp/is-mask sh -c 'wc -c < /proc/timer_list; ls /sys/firmware | wc -l; cat /proc/keys | wc -c') || return 1
  expect_eq "0 0 0" "$(echo $out)" "masked paths' contents"
}

test_masked_path_cannot_be_unmounted() {
  local out; out=$(run_in /tmp/is-umount sh -c 'umount /proc/timer_list 2>&1; umount /proc/sys 2>&1; wc -c < /proc/timer_list') || return 1
  expect_contains "$out" "Operation not permitted" "umount" && expect_eq 0 "$(echo "$out" | tail -n1)" "kcore after umount attempt"
}

test_dev_has_the_standard_nodes() {
  local out; out=$(run_in /tmp/is-dev sh -c 'ls /dev | tr "\n" " "; echo; head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok; readlink /dev/fd; ls -l /dev/null') || return 1
  for n in null zero full random urandom tty ptmx pts shm mqueue fd stdin stdout stderr; do
    expect_contains " $(echo "$out" | head -n1)" " $n " "/dev listing" || return 1
  done
  expect_contains "$out" "null-ok" && expect_contains "$out" "/proc/self/fd" && expect_contains "$out" "1,   3"
}

test_mknod_of_disk_refused() {
  local out; out=$(run_in /tmp/is-mknod sh -c 'mknod /tmp/sda b 8 0 2>&1 || echo refused') || return 1
  expect_contains "$out" "refused"
}

test_capabilities_are_the_configured_ones() {
  local out; out=$(run_in /tmp/is-caps sh -c 'grep Cap /proc/self/status') || return 1
  # AUDIT_WRITE(29), KILL(5), NET_BIND_SERVICE(10) = 0x20000420
  expect_contains "$out" "CapEff:	0000000020000420" && expect_contains "$out" "CapBnd:	0000000020000420"
}

test_no_new_privs_set() {
  local out; out=$(run_in /tmp/is-nnp grep NoNewPrivs /proc/self/status) || return 1
  expect_contains "$out" "1"
}

test_user_and_groups_from_config() {
  local b=/tmp/is-user; new_bundle $b sh -c 'id -u; id -g; id -G; touch /root/x 2>&1; true'
  edit_config $b 'c["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 29]}'
  local out; out=$(L run -b $b is-user) || return 1
  expect_eq "1000 1000 1000 10 29" "$(echo $out | cut -d' ' -f1-5)" "ids" && expect_contains "$out" "Permission denied"
}

test_rlimits_applied() {
  local b=/tmp/is-rlim; new_bundle $b sh -c 'ulimit -n; ulimit -Hn'
  edit_config $b 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]'
  expect_eq "123 456" "$(echo $(L run -b $b is-rlim))" "NOFILE limits"
}

test_env_and_cwd() {
  local b=/tmp/is-env; new_bundle $b sh -c 'echo $FOO; pwd'
  edit_config $b 'c["process"]["env"].append("FOO=bar baz"); c["process"]["cwd"] = "/tmp"'
  expect_eq "bar baz /tmp" "$(echo $(L run -b $b is-env))" "env and cwd"
}

test_no_runtime_descriptors_leak() {
  exec 7>/tmp/is-leak-host-file
  local out; out=$(run_in /tmp/is-leak sh -c 'ls /proc/self/fd | tr "\n" " "') || return 1
  exec 7>&-
  # 0,1,2 and the one ls opens for the listing.
  expect_eq "0 1 2 3 " "$out" "open descriptors"
}

test_readonly_root() {
  local b=/tmp/is-ro; new_bundle $b sh -c 'touch /x 2>&1; touch /tmp/y 2>&1 || true'
  edit_config $b 'c["root"]["readonly"] = True'
  expect_contains "$(L run -b $b is-ro)" "Read-only file system"
}

test_bind_mount_and_readonly_option() {
  local d=/tmp/is-vol-src; rm -rf $d; mkdir -p $d; echo hostdata > $d/f
  local b=/tmp/is-vol; new_bundle $b sh -c 'cat /data/f; echo c > /data/g; cat /rodata/f; echo z > /rodata/h 2>&1 || echo ro-refused'
  edit_config $b "c['mounts'] += [{'destination': '/data', 'type': 'bind', 'source': '$d', 'options': ['rbind']}, {'destination': '/rodata', 'type': 'bind', 'source': '$d', 'options': ['rbind', 'ro']}]"
  local out; out=$(L run -b $b is-vol) || return 1
  expect_contains "$out" hostdata && expect_contains "$out" ro-refused && expect_eq c "$(cat $d/g)" "file written through the volume"
}

test_mount_destination_symlink_stays_inside_root() {
  # A symlink in the image pointing at a host path must resolve inside the rootfs.
  local b=/tmp/is-sym; new_bundle $b sh -c 'ls /evil'
  ln -s /tmp/is-sym-outside $b/rootfs/evil
  rm -rf /tmp/is-sym-outside
  edit_config $b 'c["mounts"].append({"destination": "/evil", "type": "tmpfs", "source": "tmpfs", "options": []})'
  L run -b $b is-sym >/dev/null || return 1
  [ ! -e /tmp/is-sym-outside ] || fail "mount escaped the rootfs to /tmp/is-sym-outside" || return 1
  [ -d $b/rootfs/tmp/is-sym-outside ] || fail "the link was not followed inside the rootfs"
}

test_sysctl_applied() {
  local b=/tmp/is-sysctl; new_bundle $b cat /proc/sys/net/ipv4/ip_forward
  edit_config $b 'c["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}'
  expect_eq 1 "$(L run -b $b is-sysctl)" "ip_forward inside" && expect_eq 0 "$(cat /proc/sys/net/ipv4/ip_forward)" "host's ip_forward"
}

test_user_namespace_maps_root() {
  local b=/tmp/is-userns; new_bundle $b sh -c 'id -u; cat /proc/self/uid_map; touch /tmp/owned; ls -ln /tmp/owned'
  chown -R 200000:200000 $b/rootfs
  edit_config $b 'c["linux"]["namespaces"].append({"type": "user"}); c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]; c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
  local out; out=$(L run -b $b is-userns) || return 1
  expect_eq 0 "$(echo "$out" | head -n1)" "uid inside" || return 1
  expect_contains "$out" "200000" "uid_map" || return 1
  expect_eq 200000 "$(stat -c %u $b/rootfs/tmp/owned)" "owner on the host"
}

test_cgroup_namespace_shows_own_root() {
  local out; out=$(run_in /tmp/is-cgns cat /proc/self/cgroup) || return 1
  # Every hierarchy shows the container's own cgroup as /.
  expect_eq "" "$(echo "$out" | grep -v ':/$')" "cgroup paths other than /"
}

test_rootfs_propagation_shared() {
  local b=/tmp/is-prop; new_bundle $b sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo'
  edit_config $b 'c["linux"]["rootfsPropagation"] = "shared"'
  local out; out=$(L run -b $b is-prop) || return 1
  expect_contains "$out" "shared:" "the container's root propagation"
}

test_devices_with_a_fifo_and_char_device() {
  local b=/tmp/is-devs; new_bundle $b sh -c 'ls -l /dev/fifo1 /dev/mydev | cut -c1'
  edit_config $b 'c["linux"]["devices"] = [{"type": "p", "path": "/dev/fifo1", "major": 8, "minor": 666, "fileMode": 432}, {"type": "c", "path": "/dev/mydev", "major": 1, "minor": 3, "fileMode": 438}]'
  expect_eq "p c" "$(echo $(L run -b $b is-devs))" "device types"
}

test_no_mount_namespace_still_uses_the_rootfs() {
  local b=/tmp/is-nomnt; new_bundle $b sh -c 'ls /linuxrc >/dev/null && echo in-rootfs'
  edit_config $b 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "mount"]; c["mounts"] = []'
  local out; out=$(L run -b $b is-nomnt 2>&1) || { echo "$out"; return 1; }
  expect_contains "$out" in-rootfs
}

test_join_mount_namespace_by_path() {
  unshare --mount --propagation private --fork sleep 100 &
  local holder=$!
  sleep 0.3
  local nspid; nspid=$(pgrep -P $holder sleep || echo $holder)
  local b=/tmp/is-joinmnt; new_bundle $b sh -c 'ls /linuxrc >/dev/null && echo in-rootfs; readlink /proc/self/ns/mnt'
  edit_config $b "c['linux']['namespaces'] = [n if n['type'] != 'mount' else {'type': 'mount', 'path': '/proc/$nspid/ns/mnt'} for n in c['linux']['namespaces']]"
  local out; out=$(L run -b $b is-joinmnt 2>&1)
  local want; want=$(readlink /proc/$nspid/ns/mnt)
  kill $holder $nspid 2>/dev/null; wait $holder 2>/dev/null
  expect_contains "$out" in-rootfs && expect_contains "$out" "$want" "joined mount namespace"
}
