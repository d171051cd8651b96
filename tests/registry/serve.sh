#!/usr/bin/env bash
# Starts/stops a throwaway OCI distribution registry (Debian's docker-registry)
# on 127.0.0.1 for tests.
#
#   serve.sh start DIR MODE    MODE = anonymous | basic | token
#   serve.sh stop DIR
#
# start: storage, config, logs and pids all live under DIR (created if
# missing). Prints host:port on stdout once GET /v2/ answers (200 for
# anonymous, 401 for basic/token). Files left in DIR:
#   pid            registry pid           addr        host:port (same as stdout)
#   token.pid      token server pid       token-addr  host:port of the token server (token mode)
#   registry.log   registry output        token.log   token server log (token.out: its stderr)
#   config.yml     registry config        mode        the MODE
#   htpasswd       (basic)                token.key / token.crt (token; signing key / rootcertbundle)
# Credentials (basic and token): tester / secret. Token mode: realm
# http://TOKEN-ADDR/token, service locker-test-registry, issuer
# locker-test-issuer; anonymous tokens only grant pull on public/*.
# Environment: TOKEN_TTL (seconds, default 300), PYTHON (default python3).
#
# stop: kills the registry and token server started for DIR (only if the pid
# still belongs to them) and waits until they have exited.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python3}
USER_NAME=tester
USER_PASS=secret
SERVICE=locker-test-registry
ISSUER=locker-test-issuer

die() { echo "serve.sh: $*" >&2; exit 1; }

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pid_is PIDFILE PATTERN: prints the pid if it is alive and its cmdline matches.
pid_is() {
  local f=$1 pat=$2 p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  [ -r "/proc/$p/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$pat" || return 1
  echo "$p"
}

stop_one() {
  local f=$1 pat=$2 p
  if p=$(pid_is "$f" "$pat"); then
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$f"
}

do_stop() {
  local dir=${1:?usage: serve.sh stop DIR}
  [ -d "$dir" ] || return 0
  stop_one "$dir/pid" "docker-registry"
  stop_one "$dir/token.pid" "token_server.py"
}

start_token_server() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
    -subj "/CN=locker-test-token" -keyout "$dir/token.key" -out "$dir/token.crt" >/dev/null 2>&1 \
    || die "openssl could not make the token key/cert"
  rm -f "$dir/token.port"
  setsid "$PY" "$here/token_server.py" --key "$dir/token.key" --port-file "$dir/token.port" \
    --issuer "$ISSUER" --service "$SERVICE" --user "$USER_NAME:$USER_PASS" \
    --ttl "${TOKEN_TTL:-300}" --log "$dir/token.log" </dev/null >>"$dir/token.out" 2>&1 &
  echo $! >"$dir/token.pid"
  for _ in $(seq 100); do
    [ -s "$dir/token.port" ] && break
    kill -0 "$(cat "$dir/token.pid")" 2>/dev/null || die "token server died: $(tail -5 "$dir/token.out")"
    sleep 0.1
  done
  [ -s "$dir/token.port" ] || die "token server did not start"
  echo "127.0.0.1:$(cat "$dir/token.port")" >"$dir/token-addr"
}

write_config() {
  local dir=$1 mode=$2 port=$3
  {
    cat <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  redirect:
    disable: true
http:
  addr: 127.0.0.1:$port
  secret: locker-test-secret
  headers:
    X-Content-Type-Options: [nosniff]
EOF
    case $mode in
      basic) cat <<EOF
auth:
  htpasswd:
    realm: locker-test-registry
    path: $dir/htpasswd
EOF
      ;;
      token) cat <<EOF
auth:
  token:
    realm: http://$(cat "$dir/token-addr")/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $dir/token.crt
EOF
      ;;
    esac
  } >"$dir/config.yml"
}

do_start() {
  local dir=${1:?usage: serve.sh start DIR MODE} mode=${2:?usage: serve.sh start DIR MODE}
  case $mode in anonymous|basic|token) ;; *) die "MODE must be anonymous, basic or token";; esac
  command -v docker-registry >/dev/null || die "needs Debian's docker-registry (apt-get install docker-registry)"
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  do_stop "$dir"
  echo "$mode" >"$dir/mode"
  rm -f "$dir/addr" "$dir/token-addr"
  if [ "$mode" = basic ]; then
    if command -v htpasswd >/dev/null; then
      htpasswd -Bbn "$USER_NAME" "$USER_PASS" >"$dir/htpasswd"
    else
      /usr/bin/python3 -c 'import bcrypt,sys; print("%s:%s" % (sys.argv[1], bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt()).decode()))' \
        "$USER_NAME" "$USER_PASS" >"$dir/htpasswd" || die "needs htpasswd (apache2-utils) or python3-bcrypt"
    fi
  fi
  [ "$mode" = token ] && start_token_server "$dir"

  local port pid code
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    write_config "$dir" "$mode" "$port"
    setsid docker-registry serve "$dir/config.yml" </dev/null >>"$dir/registry.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    for _ in $(seq 200); do
      kill -0 "$pid" 2>/dev/null || break
      code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
      if [ -n "$code" ] && [ "$code" != 000 ]; then
        echo "127.0.0.1:$port" >"$dir/addr"
        echo "127.0.0.1:$port"
        return 0
      fi
      sleep 0.05
    done
    stop_one "$dir/pid" "docker-registry"
  done
  do_stop "$dir"
  die "registry did not come up; see $dir/registry.log"
}

case ${1:-} in
  start) shift; do_start "$@" ;;
  stop) shift; do_stop "$@" ;;
  *) echo "usage: serve.sh start DIR anonymous|basic|token | serve.sh stop DIR" >&2; exit 2 ;;
esac
