#!/usr/bin/env bash
# Builds a minimal root filesystem from Debian's busybox-static into DIR:
# the busybox binary, a link for each applet, and the /etc files programs expect.
set -euo pipefail
dir=${1:?usage: busybox-rootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] && "$bb" --list >/dev/null 2>&1 && ! ldd "$bb" >/dev/null 2>&1 || { echo "busybox-rootfs.sh: needs Debian's busybox-static at $bb" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,home,proc,sys,dev,var/tmp,run}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 700 "$dir/root"
cp "$bb" "$dir/bin/busybox"
for applet in $("$bb" --list-full); do
  [ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet"
done
cat > "$dir/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
app:x:1000:1000:app:/home/app:/bin/sh
P
cat > "$dir/etc/group" <<'G'
root:x:0:
daemon:x:1:
bin:x:2:
tty:x:5:
wheel:x:10:app
audio:x:29:app
nogroup:x:65534:
app:x:1000:
G
mkdir -p "$dir/home/app" && chown 1000:1000 "$dir/home/app"
echo busybox > "$dir/etc/hostname"
