# Images: pull from a real registry on loopback (Debian's docker-registry, images pushed by
# skopeo from tests/registry/make-images.py), auth, faults, the store, import/save/export.

REGS=$(dirname "$LOCKER_DATA")/registries
mkdir -p "$REGS"

need_registry_tools() {
  for t in docker-registry skopeo curl; do command -v $t >/dev/null || { echo "$t is not installed"; return 77; }; done
}

# registry MODE: the address of a registry of that mode with the test images pushed, started once per run.
registry() {
  local mode=$1 dir="$REGS/$1"
  need_registry_tools || return 77
  if [ -f "$dir/pushed" ] && kill -0 "$(cat "$dir/pid" 2>/dev/null)" 2>/dev/null; then cat "$dir/addr"; return 0; fi
  mkdir -p "$dir"
  local addr; addr=$("$TESTS/registry/serve.sh" start "$dir/reg" "$mode") || { fail "registry $mode did not start"; return 1; }
  local creds=(); [ "$mode" = anonymous ] || creds=(--creds tester:secret)
  local out=(); [ "$mode" = anonymous ] && out=(--out "$dir/oci")
  python3 "$TESTS/registry/make-images.py" "$BBROOT" "$addr" "${creds[@]}" "${out[@]}" > "$dir/images.json" 2> "$dir/make.log" ||
    { fail "pushing test images to the $mode registry failed: $(tail -3 "$dir/make.log")"; return 1; }
  cp "$dir/reg/pid" "$dir/pid"; echo "$addr" > "$dir/addr"; touch "$dir/pushed"
  echo "$addr"
}

teardown_file() {
  for m in anonymous basic token; do [ -d "$REGS/$m/reg" ] && "$TESTS/registry/serve.sh" stop "$REGS/$m/reg"; done
  for p in "$REGS"/proxy-*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null; done
  rm -rf "$REGS"/store.*
  return 0
}

# A fresh, empty image store for one test: S is its directory, LI runs locker on it.
fresh_store() { S=$(mktemp -d "$REGS/store.XXXXXX"); }
LI() { LOCKER_DATA=$S "$LOCKER" --root "$ROOT" "$@"; }

# proxy NAME UPSTREAM: a fault-injecting proxy (faults.py); echoes its address. Its control
# file is $REGS/proxy-NAME.json (CTL, which the caller sets; `faults` writes it).
proxy() {
  local CTL="$REGS/proxy-$1.json"; rm -f "$CTL" "$CTL.log" "$REGS/proxy-$1.port"
  python3 "$TESTS/registry/faults.py" "$REGS/proxy-$1.port" "$2" "$CTL" >/dev/null 2>&1 &
  echo $! > "$REGS/proxy-$1.pid"
  for i in $(seq 50); do [ -s "$REGS/proxy-$1.port" ] && break; sleep 0.1; done
  echo "127.0.0.1:$(cat "$REGS/proxy-$1.port")"
}
stop_proxy() { kill "$(cat "$REGS/proxy-$1.pid")" 2>/dev/null; rm -f "$REGS/proxy-$1.pid"; }
faults() { echo "$1" > "$CTL.new" && mv "$CTL.new" "$CTL"; }

# The store holds no image, no unpack in progress, and images.json (if any) parses.
store_consistent() {
  local tmp; tmp=$(find "$S/layers" -maxdepth 1 -name '.tmp-*' 2>/dev/null)
  [ -z "$tmp" ] || { fail "unpack leftovers: $tmp"; return 1; }
  [ ! -f "$S/images.json" ] || python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$S/images.json" || { fail "images.json does not parse"; return 1; }
}
image_count() { LI images -q | wc -l; }
# multi_field KEY: a field of the multi image from make-images.py's summary (anonymous registry).
multi_field() {
  python3 -c 'import json,sys; i=[i for i in json.load(open(sys.argv[1]))["images"] if i["name"] == "multi"][0]; print(i[sys.argv[2]])' "$REGS/anonymous/images.json" "$1"
}
multi_layer() {
  python3 -c 'import json,sys; i=[i for i in json.load(open(sys.argv[1]))["images"] if i["name"] == "multi"][0]; print(i["layers"][int(sys.argv[2])])' "$REGS/anonymous/images.json" "$1"
}

test_pull_and_run_apply_the_image_config() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  local id; id=$(LI pull -q "$a/multi:latest") || return 1
  local want; want=$(multi_field config)
  expect_eq "$want" "$id" "image id is the config digest" || return 1
  local out; out=$(LI run --rm "$a/multi") || return 1
  expect_eq "hello from multi
hello from layer 2" "$out" "Entrypoint + Cmd" || return 1
  out=$(LI run --rm --entrypoint "" "$a/multi" sh -c 'echo $(id -u):$(id -g) $(pwd) $FROM_IMAGE')
  expect_eq "1000:1000 /data yes" "$out" "User, WorkingDir, Env" || return 1
  out=$(LI run --rm -u 0 -w / "$a/multi" 'echo $(id -u) $(pwd)')
  expect_eq "0 /" "$out" "flags override the config" || return 1
  # Labels become annotations; StopSignal is what `stop` sends.
  LI run -d --name img-stop --entrypoint "" "$a/multi" sh -c 'trap "echo got USR1 > /tmp/sig; exit 0" USR1; while :; do sleep 0.1; done' >/dev/null || return 1
  sleep 0.5
  local state; state=$(LI state img-stop)
  LI stop -t 5 img-stop >/dev/null
  local sig; sig=$(cat "$S/containers/img-stop/upper/tmp/sig" 2>/dev/null)
  LI delete -f img-stop
  expect_contains "$state" '"org.example.test" : "multi"' "labels as annotations" && expect_eq "got USR1" "$sig" "stop sent the image's StopSignal"
}

test_layers_unpack_with_whiteouts_links_owners_xattrs() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  LI pull -q "$a/multi" >/dev/null || return 1
  local out; out=$(LI run --rm -u 0 --entrypoint "" "$a/multi" sh -c '
    ls /etc/removed-later.txt 2>&1; ls /data/olddir | tr "\n" " "; echo
    [ "$(stat -c %i /data/hello.txt)" = "$(stat -c %i /data/hardlink)" ] && echo hardlink-ok
    readlink /data/sym; stat -c "%a %u:%g" /data/setuid /data/owned')
  expect_contains "$out" "removed-later.txt: No such file" "whiteout" && expect_contains "$out" "new.txt " "opaque dir" &&
    expect_not_contains "$out" "keep.txt" "opaque dir hides the lower one" && expect_contains "$out" "hardlink-ok" &&
    expect_contains "$out" "hello.txt" "symlink" && expect_contains "$out" "4755 0:0" "setuid mode" &&
    expect_contains "$out" "644 1000:1000" "owner" || return 1
  # The xattr is on the unpacked layer; trusted.overlay.opaque marks the opaque directory.
  local layerdir; layerdir=$(grep -l . "$S"/layers/*/data/hello.txt 2>/dev/null | head -n1)
  local x; x=$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.locker").decode())' "$layerdir")
  local opq; opq=$(python3 -c 'import os,glob,sys
for d in glob.glob(sys.argv[1] + "/layers/*/data/olddir"):
    try: print(os.getxattr(d, "trusted.overlay.opaque").decode())
    except OSError: pass' "$S")
  expect_eq yes "$x" "xattr from the PAX header" && expect_eq y "$opq" "opaque marker"
}

test_docker_schema2_index_selection_and_zstd() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  LI pull -q "$a/multi-docker" >/dev/null || return 1
  local out; out=$(LI run --rm "$a/multi-docker") || return 1
  expect_eq "hello from multi
hello from layer 2" "$out" "docker v2 schema 2" || return 1
  out=$(LI run --rm "$a/multiarch" cat /arch.txt) || return 1
  expect_eq amd64 "$out" "index: this machine's platform" || return 1
  LI pull -q --platform linux/arm64 "$a/multiarch" >/dev/null || return 1
  out=$(LI run --rm --pull=never "$a/multiarch" cat /arch.txt)
  expect_eq arm64 "$out" "index: --platform" || return 1
  out=$(LI pull --platform linux/s390x "$a/multiarch" 2>&1) && { fail "s390x pulled"; return 1; }
  expect_contains "$out" "no image for linux/s390x" || return 1
  out=$(LI run --rm "$a/zstd" cat /etc/passwd | head -n1)
  expect_contains "$out" "root:x:0:0" "zstd layers"
}

test_basic_auth_login_logout() {
  local a; a=$(registry basic) || return $?
  fresh_store
  local out; out=$(LI pull "$a/multi" 2>&1) && { fail "pulled without credentials"; return 1; }
  expect_contains "$out" "locker login" && expect_eq 0 "$(image_count)" "images after the refused pull" || return 1
  out=$(echo wrong | LI login -u tester --password-stdin "$a" 2>&1) && { fail "login with a wrong password succeeded"; return 1; }
  [ ! -e "$S/auth.json" ] || { fail "a failed login stored credentials"; return 1; }
  out=$(echo secret | LI login -u tester --password-stdin "$a") || return 1
  expect_eq "Login Succeeded" "$out" || return 1
  expect_eq 600 "$(stat -c %a "$S/auth.json")" "auth.json mode" || return 1
  LI pull -q "$a/multi" >/dev/null || return 1
  LI logout "$a" >/dev/null || return 1
  out=$(LI pull "$a/multi-docker" 2>&1) && { fail "pulled after logout"; return 1; }
  return 0
}

test_token_auth_anonymous_and_logged_in() {
  local a; a=$(registry token) || return $?
  fresh_store
  LI pull -q "$a/public/multi" >/dev/null || { fail "anonymous token pull of public/multi"; return 1; }
  local out; out=$(LI pull "$a/multi" 2>&1) && { fail "anonymous pull of a private repository"; return 1; }
  expect_contains "$out" "denied" || return 1
  echo secret | LI login -u tester --password-stdin "$a" >/dev/null || return 1
  LI pull -q "$a/multi" >/dev/null || return 1
  out=$(LI run --rm "$a/multi" | head -n1)
  expect_eq "hello from multi" "$out"
}

# A cut connection: the pull fails, keeps what it finished, and the next pull resumes the
# cut layer with a Range request without fetching the finished ones again.
test_resume_after_a_cut_connection() {
  local a; a=$(registry anonymous) || return $?
  local p; p=$(proxy cut "$a"); CTL=$REGS/proxy-cut.json
  fresh_store
  faults '{"blob_cut_after": 200000, "times": 2, "path_contains": "'"$(multi_layer 0)"'"}'
  local out; out=$(LI pull "$p/multi" 2>&1) && { stop_proxy cut; fail "pull survived two cuts"; return 1; }
  expect_contains "$out" "connection was cut" && expect_eq 0 "$(image_count)" "images after the failed pull" && store_consistent || { stop_proxy cut; return 1; }
  local partial; partial=$(ls "$S/blobs/incoming/" | grep -c partial)
  faults '{}'
  LI pull -q "$p/multi" >/dev/null || { stop_proxy cut; return 1; }
  stop_proxy cut
  local big; big=$(multi_layer 0)
  local ranged; ranged=$(grep "blobs/$big" "$CTL.log" | grep -c "range=bytes=[1-9]")
  local small; small=$(multi_layer 2)
  local smallgets; smallgets=$(grep -c "GET .*blobs/$small" "$CTL.log")
  expect_eq 1 "$partial" "partial download kept" && [ "$ranged" -ge 1 ] || { fail "no Range request resumed the cut layer"; return 1; }
  expect_eq 1 "$smallgets" "finished layer fetched once" && expect_eq 1 "$(image_count)" && store_consistent
}

test_corrupt_truncated_and_failing_registry() {
  local a; a=$(registry anonymous) || return $?
  local p; p=$(proxy bad "$a"); CTL=$REGS/proxy-bad.json
  fresh_store
  local out rc=0
  local big; big=$(multi_layer 0)
  faults '{"corrupt_blob": true, "path_contains": "'"$big"'"}'
  out=$(LI pull "$p/multi" 2>&1) && rc=1
  expect_contains "$out" "digest mismatch" && expect_contains "$out" "image $p/multi:latest: layer sha256:" || rc=1
  faults '{"truncate_blob": true, "path_contains": "'"$big"'"}'
  out=$(LI pull "$p/multi-docker" 2>&1) && rc=1
  expect_contains "$out" "layer sha256:" "truncated blob names the layer" || rc=1
  faults '{"status": 500, "path_contains": "/manifests/"}'
  out=$(LI pull "$p/multi" 2>&1) && rc=1
  expect_contains "$out" "answered 500" || rc=1
  faults '{"status": 404, "path_contains": "/manifests/"}'
  out=$(LI pull "$p/multi" 2>&1) && rc=1
  expect_contains "$out" "not found (404)" || rc=1
  faults '{"stall_seconds": 30, "path_contains": "/blobs/sha256"}'
  out=$(LOCKER_PULL_STALL_SECONDS=2 LI pull "$p/zstd" 2>&1) && rc=1
  expect_contains "$out" "stalled" || rc=1
  expect_eq 0 "$(image_count)" "images after failures" && store_consistent || rc=1
  # Once the faults are gone, the same pulls succeed.
  faults '{}'
  for i in multi multi-docker zstd; do LI pull -q "$p/$i" >/dev/null || rc=1; done
  stop_proxy bad
  # multi and multi-docker are one image (same config) under two tags.
  expect_eq 2 "$(image_count)" "images after the retries" || rc=1
  return $rc
}

test_malicious_layers_are_refused_or_contained() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  local rc=0 out
  rm -f /escape-dotdot /escape-abs /tmp/escape-symlink
  for img in evil/dotdot evil/absolute evil/hardlink evil/hardlink-abs; do
    out=$(LI pull "$a/$img" 2>&1) && { fail "$img was accepted"; rc=1; continue; }
    expect_contains "$out" "image $a/$img:latest: layer 2/2 sha256:" "$img: names the image and the layer" || rc=1
    expect_contains "$out" "refused" "$img: says why" || rc=1
  done
  out=$(LI pull "$a/evil/badgz" 2>&1) && { fail "a broken gzip layer was accepted"; rc=1; }
  expect_contains "$out" "gzip" || rc=1
  out=$(LI pull "$a/evil/diffid" 2>&1) && { fail "a wrong diff id was accepted"; rc=1; }
  expect_contains "$out" "image config says" || rc=1
  # A symlink out of the layer, then a file through it: the file lands inside the layer.
  LI pull -q "$a/evil/symlink" >/dev/null || rc=1
  out=$(LI run --rm "$a/evil/symlink" ls /tmp/escape-symlink 2>&1)
  expect_eq /tmp/escape-symlink "$out" "the file stays in the image" || rc=1
  for f in /escape-dotdot /escape-abs /tmp/escape-symlink; do [ -e "$f" ] && { fail "$f was written on the host"; rc=1; }; done
  expect_eq 1 "$(image_count)" "only the contained image is stored" && store_consistent || rc=1
  return $rc
}

# kill -9 in the middle of a pull: the store stays consistent and the next pull completes.
test_killed_pull_leaves_a_consistent_store() {
  local a; a=$(registry anonymous) || return $?
  local p; p=$(proxy kill "$a"); CTL=$REGS/proxy-kill.json
  fresh_store
  faults '{"stall_after_bytes": 100000, "stall_seconds": 30, "path_contains": "'"$(multi_layer 0)"'"}'
  LOCKER_DATA=$S setsid "$LOCKER" pull "$p/multi" >/dev/null 2>&1 &
  local pid=$!
  for i in $(seq 50); do ls "$S/blobs/incoming/" 2>/dev/null | grep -q partial && break; sleep 0.1; done
  sleep 0.3
  kill -9 -- -$pid 2>/dev/null; wait $pid 2>/dev/null
  store_consistent && expect_eq 0 "$(image_count)" "images after kill -9" || { stop_proxy kill; return 1; }
  faults '{}'
  LI pull -q "$p/multi" >/dev/null || { stop_proxy kill; return 1; }
  stop_proxy kill
  local out; out=$(LI run --rm "$p/multi" | head -n1)
  expect_eq "hello from multi" "$out" && store_consistent
}

test_rmi_prune_and_images_in_use() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  LI pull -q "$a/multi" >/dev/null && LI pull -q "$a/multi-docker" >/dev/null || return 1
  # multi and multi-docker share their config and layers: one image, two tags, one copy.
  expect_eq 1 "$(image_count)" "one image for two tags" && expect_eq 3 "$(ls "$S/layers" | grep -vc size)" "layers stored once" || return 1
  local out; out=$(LI rmi "$a/multi-docker") || return 1
  expect_contains "$out" "Untagged: $a/multi-docker:latest" || return 1
  LI run -d --name img-used --entrypoint "" "$a/multi" sleep 100 >/dev/null || return 1
  out=$(LI rmi "$a/multi" 2>&1) && { LI delete -f img-used; fail "rmi of an image in use"; return 1; }
  expect_contains "$out" "used by a container" || { LI delete -f img-used; return 1; }
  LI rmi --force "$a/multi" >/dev/null || { LI delete -f img-used; return 1; }
  # Forced: the image is gone, but the running container's layers stay until it is.
  local alive; alive=$(LI exec img-used cat /data/hello.txt)
  LI delete -f img-used
  expect_eq "hello from layer 2" "$alive" "container still reads its layers" || return 1
  LI image prune -a >/dev/null || return 1
  expect_eq 0 "$(ls "$S/layers" | wc -l)" "layers after prune" && expect_eq 0 "$(ls "$S/blobs/sha256" | wc -l)" "blobs after prune" &&
    expect_eq 0 "$(image_count)"
}

test_two_containers_of_one_image_do_not_share_writes() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  LI pull -q "$a/multi" >/dev/null || return 1
  LI run -d --name img-a -u 0 --entrypoint "" "$a/multi" sh -c 'echo from-a > /data/hello.txt; rm /data/owned; sleep 100' >/dev/null || return 1
  LI run -d --name img-b --entrypoint "" "$a/multi" sleep 100 >/dev/null || { LI delete -f img-a; return 1; }
  sleep 0.5
  local ina inb; ina=$(LI exec img-a cat /data/hello.txt); inb=$(LI exec img-b sh -c 'cat /data/hello.txt; ls /data/owned')
  LI delete -f img-a img-b
  local layer; layer=$(cat "$S"/layers/*/data/hello.txt)
  expect_eq from-a "$ina" && expect_eq "hello from layer 2
/data/owned" "$inb" "the other container" && expect_eq "hello from layer 2" "$layer" "the image's layer" &&
    expect_eq 0 "$(ls "$S/containers" | wc -l)" "container directories after delete"
}

test_import_layout_archive_save_and_export() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  local oci="$REGS/anonymous/oci"
  local out; out=$(LI import "$oci/multi" local/multi:1) || return 1
  expect_eq local/multi:1 "$out" "OCI layout directory" || return 1
  out=$(LI import "$oci/multi-docker-archive.tar") || return 1
  expect_eq multi:latest "$out" "docker archive names its own tag" || return 1
  expect_eq 1 "$(image_count)" "the same image both ways" || return 1
  LI save local/multi:1 -o "$S/saved.tar" || return 1
  local first; first=$(LI images -q)
  S2=$S; fresh_store
  out=$(LI import "$S2/saved.tar") || return 1
  expect_eq local/multi:1 "$out" "saved tar names its tag" && expect_eq "$first" "$(LI images -q)" "same id after save and import" || return 1
  out=$(LI run --rm local/multi:1 | head -n1)
  expect_eq "hello from multi" "$out" || return 1
  tar -tf "$S2/saved.tar" | grep -qx manifest.json || { fail "saved tar has no docker manifest.json"; return 1; }
  # export: a container's filesystem, with its own changes.
  LI run -d --name img-exp -u 0 --entrypoint "" local/multi:1 sh -c 'echo mine > /data/new; sleep 100' >/dev/null || return 1
  sleep 0.5
  LI export img-exp -o "$S/exp.tar"; local rc=$?
  LI delete -f img-exp
  local list; list=$(tar -tf "$S/exp.tar")
  [ $rc -eq 0 ] && expect_eq mine "$(tar -xOf "$S/exp.tar" ./data/new)" "the container's own file" &&
    expect_contains "$list" "./data/olddir/new.txt" && expect_not_contains "$list" "keep.txt" "the merged view, not the layers"
}

test_without_overlayfs_the_layers_are_copied() {
  local a; a=$(registry anonymous) || return $?
  # overlayfs refuses an upper directory on overlayfs: a data root there forces the copy.
  local m; m=$(mktemp -d "$REGS/ovl.XXXXXX")
  mkdir -p "$m/l" "$m/u" "$m/w" "$m/mnt"
  mount -t overlay overlay -o "lowerdir=$m/l,upperdir=$m/u,workdir=$m/w" "$m/mnt" || return 77
  S=$m/mnt/data
  local out; out=$(LI run --rm -u 0 --entrypoint "" "$a/multi" sh -c 'cat /data/hello.txt; ls /etc/removed-later.txt 2>&1; ls /data/olddir' 2>&1)
  local left; left=$(ls "$S/containers" | wc -l)
  umount "$m/mnt"; rm -rf "$m"
  expect_contains "$out" "overlayfs cannot be used here" "the line saying so" && expect_contains "$out" "hello from layer 2" &&
    expect_contains "$out" "No such file" "whiteout applied in the copy" && expect_not_contains "$out" "keep.txt" "opaque applied" &&
    expect_eq 0 "$left" "copy removed with the container"
}

test_pull_output_on_a_pipe_and_quiet() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  local err; err=$(LI pull "$a/multi" 2>&1 >/dev/null)
  expect_contains "$err" "downloading" && expect_contains "$err" "pulled" || return 1
  fresh_store
  local q; q=$(LI pull -q "$a/multi" 2>&1)
  case "$q" in sha256:*) [ "$(echo "$q" | wc -l)" = 1 ] || fail "quiet printed more than the id: $q";; *) fail "quiet: $q";; esac
}

# A registry that serves a manifest that does not parse: the error names the image and the
# manifest, and nothing is stored.
test_manifest_that_does_not_parse() {
  fresh_store
  cat > "$S/bad.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{}' if self.path == "/v2/" else b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": 7, "layers": [' 
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path == "/v2/" else "application/vnd.oci.image.manifest.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_port))
s.serve_forever()
PY
  python3 "$S/bad.py" "$S/port" & local pid=$!
  for i in $(seq 50); do [ -s "$S/port" ] && break; sleep 0.1; done
  local out; out=$(LI pull "127.0.0.1:$(cat "$S/port")/bad/image:1" 2>&1); local rc=$?
  kill $pid; wait $pid 2>/dev/null
  [ $rc -ne 0 ] && expect_contains "$out" "image 127.0.0.1:$(cat "$S/port")/bad/image:1: manifest" &&
    expect_contains "$out" "not valid JSON" && expect_eq 0 "$(image_count)" && store_consistent
}

test_inspect_names_an_image_too() {
  local a; a=$(registry anonymous) || return $?
  fresh_store
  LI pull -q "$a/multi" >/dev/null || return 1
  local out; out=$(LI inspect "$a/multi")
  expect_contains "$out" '"StopSignal" : "SIGUSR1"' && expect_contains "$out" "\"$a/multi:latest\""
}

test_import_refuses_what_is_not_an_image() {
  fresh_store
  local out rc=0
  printf 'just text\n' > "$S/not.tar"
  out=$(LI import "$S/not.tar" x 2>&1) && { fail "a text file was imported"; rc=1; }
  expect_contains "$out" "not a tar archive" || rc=1
  tar -C "$BBROOT" -czf "$S/full.tgz" .
  head -c 30000 "$S/full.tgz" > "$S/cut.tgz"
  out=$(LI import "$S/cut.tgz" y 2>&1) && { fail "a truncated tarball was imported"; rc=1; }
  expect_contains "$out" "truncated" || rc=1
  expect_eq 0 "$(image_count)" "images" && store_consistent && expect_eq 0 "$(ls "$S/layers" 2>/dev/null | wc -l)" "layers" || rc=1
  return $rc
}
