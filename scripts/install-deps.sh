#!/usr/bin/env bash
# Debian packages Locker builds and tests with. Quiet when everything is there already.
set -euo pipefail
need=()
for p in busybox-static runc python3 iproute2 libseccomp-dev podman containerd \
         zlib1g-dev libzstd-dev libssl-dev curl docker-registry skopeo python3-bcrypt zstd; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
