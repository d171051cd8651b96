#!/usr/bin/env python3
"""Builds the test images as OCI image layouts and pushes them with skopeo.

    python3 make-images.py ROOTFS_DIR REGISTRY_HOST:PORT [--creds USER:PASS]
                           [--out DIR] [--big] [--only NAME[,NAME...]]

ROOTFS_DIR: a busybox rootfs (scripts/busybox-rootfs.sh DIR). Pushed
(all tag "latest"): multi, multi-docker (Docker v2s2), public/multi,
multiarch (OCI index amd64+arm64), zstd, evil/dotdot, evil/absolute,
evil/symlink, evil/hardlink, evil/hardlink-abs, evil/badgz, evil/diffid,
and big (only with --big). --out DIR keeps the OCI layouts (DIR/<name with
/ replaced by ->) and writes DIR/multi-docker-archive.tar. Without --out
they are built in a temporary directory that is removed at the end.
Layer tars are deterministic (fixed mtimes, fixed created time, gzip mtime 0),
so digests are the same on every run for the same ROOTFS_DIR.

Prints a JSON summary on stdout (progress goes to stderr). Needs: skopeo, zstd.
"""
import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

MTIME = 1704067200  # 2024-01-01T00:00:00Z
CREATED = "2024-01-01T00:00:00Z"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
ACCEPT = ", ".join([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])
PATH_ENV = "PATH=/usr/sbin:/usr/bin:/sbin:/bin"


def log(*a):
    print("make-images:", *a, file=sys.stderr, flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


# ---------------------------------------------------------------- tar entries

class TarWriter:
    """A PAX tar written to a file, entries added explicitly (so evil names are kept as-is)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.tar = tarfile.open(fileobj=self.f, mode="w", format=tarfile.PAX_FORMAT)

    def _info(self, name, typ, mode, uid=0, gid=0, pax=None):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = typ, mode, uid, gid, MTIME
        ti.uname = ti.gname = ""
        if pax:
            ti.pax_headers = dict(pax)
        return ti

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.tar.addfile(self._info(name.rstrip("/") + "/", tarfile.DIRTYPE, mode, uid, gid))

    def file(self, name, data, mode=0o644, uid=0, gid=0, pax=None):
        if isinstance(data, str):
            data = data.encode()
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid, pax)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644)
        ti.linkname = target
        self.tar.addfile(ti)

    def tree(self, root):
        """Adds every file under root (names relative to it, no leading ./), keeping
        modes, owners, symlinks, hard links and device nodes; mtimes are normalised."""
        seen = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root)
            names = [] if rel_dir == "." else [(dirpath, rel_dir)]
            names += [(os.path.join(dirpath, n), os.path.normpath(os.path.join(rel_dir, n))) for n in sorted(filenames)]
            # symlinks to directories show up in dirnames: add them as links, don't descend
            for d in list(dirnames):
                p = os.path.join(dirpath, d)
                if os.path.islink(p):
                    names.append((p, os.path.normpath(os.path.join(rel_dir, d))))
                    dirnames.remove(d)
            for path, arc in names:
                st = os.lstat(path)
                ti = self.tar.gettarinfo(path, arc)
                ti.mtime, ti.uname, ti.gname = MTIME, "", ""
                if ti.isreg() and st.st_nlink > 1:
                    key = (st.st_dev, st.st_ino)
                    if key in seen:
                        ti.type, ti.linkname, ti.size = tarfile.LNKTYPE, seen[key], 0
                    else:
                        seen[key] = arc
                if ti.isreg():
                    with open(path, "rb") as f:
                        self.tar.addfile(ti, f)
                else:
                    self.tar.addfile(ti)

    def close(self):
        self.tar.close()
        self.f.close()


# ---------------------------------------------------------------- OCI layout

class Layout:
    def __init__(self, path):
        self.path = path
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(os.path.join(path, "blobs", "sha256"))
        with open(os.path.join(path, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.refs = []
        self.tmp = os.path.join(path, "tmp")
        os.makedirs(self.tmp)

    def _adopt(self, tmp_path, media_type):
        digest = sha256_file(tmp_path)
        size = os.path.getsize(tmp_path)
        dst = os.path.join(self.path, "blobs", "sha256", digest.split(":", 1)[1])
        os.replace(tmp_path, dst)
        return {"mediaType": media_type, "digest": digest, "size": size}

    def blob_bytes(self, data, media_type):
        p = os.path.join(self.tmp, "b")
        with open(p, "wb") as f:
            f.write(data)
        return self._adopt(p, media_type)

    def json_blob(self, obj, media_type):
        return self.blob_bytes(json.dumps(obj, indent=2, sort_keys=False).encode(), media_type)

    def new_tar(self):
        p = os.path.join(self.tmp, "layer.tar")
        return TarWriter(p), p

    def layer(self, tar_path, compression="gzip", level=6):
        """Compresses tar_path into a blob; returns (descriptor, diff_id)."""
        diff_id = sha256_file(tar_path)
        out = os.path.join(self.tmp, "layer.blob")
        if compression == "gzip":
            with open(tar_path, "rb") as src, open(out, "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=level) as gz:
                shutil.copyfileobj(src, gz, 1 << 20)
            mt = OCI_LAYER_GZIP
        elif compression == "zstd":
            subprocess.run(["zstd", "-q", "-f", "-3", tar_path, "-o", out], check=True)
            mt = OCI_LAYER_ZSTD
        else:
            raise ValueError(compression)
        os.unlink(tar_path)
        return self._adopt(out, mt), diff_id

    def image(self, layers, config_extra=None, arch="amd64", variant=None, history=None):
        """layers: list of (descriptor, diff_id). Writes config + manifest; returns manifest descriptor."""
        cfg = {
            "created": CREATED,
            "architecture": arch,
            "os": "linux",
            "config": {"Env": [PATH_ENV], "Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": [d for _, d in layers]},
            "history": history or [{"created": CREATED, "created_by": "make-images.py layer %d" % i}
                                   for i in range(len(layers))],
        }
        if variant:
            cfg["variant"] = variant
        cfg["config"].update(config_extra or {})
        cdesc = self.json_blob(cfg, OCI_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cdesc,
                    "layers": [l for l, _ in layers]}
        mdesc = self.json_blob(manifest, OCI_MANIFEST)
        mdesc["platform"] = {"architecture": arch, "os": "linux"}
        if variant:
            mdesc["platform"]["variant"] = variant
        return mdesc

    def index(self, manifests):
        idx = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
        return self.json_blob(idx, OCI_INDEX)

    def tag(self, desc, ref="latest"):
        d = dict(desc)
        d.pop("platform", None)
        d["annotations"] = {"org.opencontainers.image.ref.name": ref}
        self.refs.append(d)

    def finish(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.refs}, f, indent=2)
        shutil.rmtree(self.tmp)


# ---------------------------------------------------------------- images

def rootfs_layer(lay, rootfs, extra=None):
    tw, p = lay.new_tar()
    tw.tree(rootfs)
    if extra:
        extra(tw)
    tw.close()
    return lay.layer(p)


def build_multi(lay, rootfs):
    l1 = rootfs_layer(lay, rootfs)

    tw, p = lay.new_tar()
    tw.dir("data")
    tw.file("data/hello.txt", "hello from layer 2\n", pax={"SCHILY.xattr.user.locker": "yes"})
    tw.hardlink("data/hardlink", "data/hello.txt")
    tw.symlink("data/sym", "hello.txt")
    tw.dir("data/olddir")
    tw.file("data/olddir/keep.txt", "kept until layer 3 made olddir opaque\n")
    tw.file("data/setuid", "#!/bin/sh\necho setuid\n", mode=0o4755)
    tw.file("data/owned", "owned by 1000:1000\n", uid=1000, gid=1000)
    tw.dir("etc")
    tw.file("etc/removed-later.txt", "this file is deleted by layer 3\n")
    tw.close()
    l2 = lay.layer(p)

    tw, p = lay.new_tar()
    tw.dir("etc")
    tw.file("etc/.wh.removed-later.txt", "")
    tw.dir("data")
    tw.dir("data/olddir")
    tw.file("data/olddir/.wh..wh..opq", "")
    tw.file("data/olddir/new.txt", "new in layer 3\n")
    tw.close()
    l3 = lay.layer(p)

    cfg = {
        "Entrypoint": ["/bin/sh", "-c"],
        "Cmd": ["echo hello from multi; cat /data/hello.txt"],
        "Env": [PATH_ENV, "FROM_IMAGE=yes"],
        "WorkingDir": "/data",
        "User": "1000:1000",
        "StopSignal": "SIGUSR1",
        "Labels": {"org.example.test": "multi"},
    }
    hist = [{"created": CREATED, "created_by": "busybox rootfs"},
            {"created": CREATED, "created_by": "add /data files (hardlink, symlink, setuid, owned, xattr)"},
            {"created": CREATED, "created_by": "whiteout /etc/removed-later.txt, opaque /data/olddir"}]
    m = lay.image([l1, l2, l3], cfg, history=hist)
    lay.tag(m)
    return m


def build_multiarch(lay, rootfs):
    ms = []
    for arch, variant in (("amd64", None), ("arm64", "v8")):
        l = rootfs_layer(lay, rootfs, lambda tw, a=arch: tw.file("arch.txt", a + "\n"))
        ms.append(lay.image([l], {"Cmd": ["cat", "/arch.txt"]}, arch=arch, variant=variant))
    idx = lay.index(ms)
    lay.tag(idx)
    return idx


def build_zstd(lay, rootfs):
    tw, p = lay.new_tar()
    tw.tree(rootfs)
    tw.close()
    l1 = lay.layer(p, "zstd")
    tw, p = lay.new_tar()
    tw.dir("data")
    tw.file("data/zstd.txt", "hello from zstd\n")
    tw.close()
    l2 = lay.layer(p, "zstd")
    m = lay.image([l1, l2], {"Cmd": ["cat", "/data/zstd.txt"]})
    lay.tag(m)
    return m


def evil_layer(lay, kind):
    if kind == "badgz":
        # Starts with the gzip magic (so skopeo passes it through as gzip) but is not gzip.
        rnd = random.Random(42)
        data = b"\x1f\x8b\x08\x00" + b"this is not a gzip stream " + bytes(rnd.randrange(256) for _ in range(4096))
        d = lay.blob_bytes(data, OCI_LAYER_GZIP)
        return d, "sha256:" + hashlib.sha256(data).hexdigest()
    tw, p = lay.new_tar()
    if kind == "dotdot":
        tw.file("../../escape-dotdot", "escaped via ..\n")
    elif kind == "absolute":
        tw.file("/escape-abs", "escaped via absolute path\n")
    elif kind == "symlink":
        tw.symlink("link", "/tmp")
        tw.file("link/escape-symlink", "escaped through a symlink\n")
    elif kind == "hardlink":
        tw.hardlink("hl", "../../../etc/hostname")
    elif kind == "hardlink-abs":
        tw.hardlink("hl", "/etc/passwd")
    elif kind == "diffid":
        tw.file("innocent.txt", "the config's diff_id for this layer is wrong\n")
    tw.close()
    d, diff_id = lay.layer(p)
    if kind == "diffid":
        diff_id = "sha256:" + hashlib.sha256(b"not the diff id").hexdigest()
    return d, diff_id


def build_evil(lay, rootfs, kind):
    m = lay.image([rootfs_layer(lay, rootfs), evil_layer(lay, kind)], {"Cmd": ["/bin/sh"]})
    lay.tag(m)
    return m


def build_big(lay, rootfs):
    rnd = random.Random(1234)
    tw, p = lay.new_tar()
    tw.dir("big")
    tw.dir("big/large")
    # 4 x 36 MiB: alternating 64 KiB of pseudo-random bytes and 64 KiB of text (compresses ~2:1)
    text = (b"locker big image filler line, compressible. " * 1600)[:65536]
    for i in range(4):
        chunks = []
        for j in range(576):
            chunks.append(rnd.randbytes(65536) if j % 2 == 0 else text)
        tw.file("big/large/file%d.bin" % i, b"".join(chunks))
    tw.dir("big/small")
    n = 0
    for d in range(200):
        tw.dir("big/small/d%03d" % d)
        for f in range(100):
            size = rnd.randrange(512, 3584)
            body = rnd.randbytes(size // 2) + (b"x" * (size - size // 2))
            tw.file("big/small/d%03d/f%03d" % (d, f), body)
            n += 1
    tw.close()
    log("big: %d MiB uncompressed, %d small files" % (os.path.getsize(p) >> 20, n))
    l2 = lay.layer(p, level=1)
    m = lay.image([rootfs_layer(lay, rootfs), l2], {"Cmd": ["du", "-sh", "/big"]})
    lay.tag(m)
    return m


# ---------------------------------------------------------------- registry

class Registry:
    """Minimal v2 client for the summary: basic and bearer auth."""

    def __init__(self, host, creds):
        self.host, self.creds, self.tokens = host, creds, {}

    def _basic(self):
        return "Basic " + base64.b64encode(self.creds.encode()).decode() if self.creds else None

    def _token(self, challenge, repo):
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        q = {"service": params.get("service", ""), "scope": "repository:%s:pull" % repo}
        req = urllib.request.Request(params["realm"] + "?" + urllib.parse.urlencode(q))
        if self.creds:
            req.add_header("Authorization", self._basic())
        with urllib.request.urlopen(req, timeout=30) as r:
            j = json.load(r)
        return "Bearer " + (j.get("token") or j["access_token"])

    def get(self, repo, path, accept=None):
        url = "http://%s/v2/%s/%s" % (self.host, repo, path)
        for attempt in range(2):
            req = urllib.request.Request(url)
            if accept:
                req.add_header("Accept", accept)
            if repo in self.tokens:
                req.add_header("Authorization", self.tokens[repo])
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    return r.read(), r.headers
            except urllib.error.HTTPError as e:
                ch = e.headers.get("WWW-Authenticate", "")
                if e.code != 401 or attempt:
                    raise
                if ch.lower().startswith("bearer"):
                    self.tokens[repo] = self._token(ch, repo)
                else:
                    self.tokens[repo] = self._basic()

    def describe_manifest(self, repo, ref):
        body, hdr = self.get(repo, "manifests/" + ref, ACCEPT)
        m = json.loads(body)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        mt = m.get("mediaType") or hdr.get("Content-Type")
        out = {"media_type": mt, "digest": digest, "docker_content_digest": hdr.get("Docker-Content-Digest")}
        if mt in (OCI_INDEX, DOCKER_LIST):
            out["manifests"] = []
            for d in m["manifests"]:
                sub = self.describe_manifest(repo, d["digest"])
                sub["platform"] = d.get("platform")
                out["manifests"].append(sub)
            return out
        cbody, _ = self.get(repo, "blobs/" + m["config"]["digest"])
        cfg = json.loads(cbody)
        out.update({"config": m["config"]["digest"],
                    "layers": [l["digest"] for l in m["layers"]],
                    "layer_media_types": [l["mediaType"] for l in m["layers"]],
                    "layer_sizes": [l["size"] for l in m["layers"]],
                    "diff_ids": cfg["rootfs"]["diff_ids"]})
        return out


def skopeo_copy(src, dst, creds, extra):
    cmd = ["skopeo", "--insecure-policy", "copy", "--retry-times", "2", "--dest-tls-verify=false"]
    if creds and dst.startswith("docker://"):
        cmd += ["--dest-creds", creds]
    cmd += extra + [src, dst]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit("make-images: failed: %s" % " ".join(cmd))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rootfs")
    ap.add_argument("registry", help="HOST:PORT")
    ap.add_argument("--creds", help="USER:PASS for the registry (basic or token mode)")
    ap.add_argument("--out", help="keep the OCI layouts and the docker archive here")
    ap.add_argument("--big", action="store_true", help="also build and push big:latest (~200 MB)")
    ap.add_argument("--only", help="comma-separated subset of image names to push")
    a = ap.parse_args()
    if not os.path.isfile(os.path.join(a.rootfs, "bin", "busybox")):
        raise SystemExit("make-images: %s does not look like a busybox rootfs" % a.rootfs)
    for tool in ("skopeo", "zstd"):
        if not shutil.which(tool):
            raise SystemExit("make-images: needs %s (apt-get install %s)" % (tool, tool))

    t0 = time.time()
    tmp = None
    if a.out:
        out = os.path.abspath(a.out)
        os.makedirs(out, exist_ok=True)
    else:
        out = tmp = tempfile.mkdtemp(prefix="locker-images.")

    # name -> (layout subdir, builder, extra skopeo args)
    plan = [
        ("multi", "multi", build_multi, ["--preserve-digests"]),
        ("multi-docker", "multi", None, ["--format", "v2s2"]),
        ("public/multi", "multi", None, ["--preserve-digests"]),
        ("multiarch", "multiarch", build_multiarch, ["--all", "--preserve-digests"]),
        ("zstd", "zstd", build_zstd, ["--preserve-digests"]),
    ]
    for kind in ("dotdot", "absolute", "symlink", "hardlink", "hardlink-abs", "badgz", "diffid"):
        plan.append(("evil/" + kind, "evil-" + kind, lambda lay, r, k=kind: build_evil(lay, r, k), ["--preserve-digests"]))
    if a.big:
        plan.append(("big", "big", build_big, ["--preserve-digests"]))
    only = set(a.only.split(",")) if a.only else None
    if only:
        plan = [p for p in plan if p[0] in only]

    built = {}
    summary = {"registry": a.registry, "images": [], "oci_layouts": {}}
    reg = Registry(a.registry, a.creds)
    try:
        for name, sub, builder, extra in plan:
            layout = os.path.join(out, sub)
            if sub not in built:
                if builder is None:  # e.g. multi-docker alone: build multi's layout first
                    builder = build_multi
                log("building %s" % layout)
                lay = Layout(layout)
                builder(lay, a.rootfs)
                lay.finish()
                built[sub] = layout
                summary["oci_layouts"][sub] = layout
            ref = "%s/%s:latest" % (a.registry, name)
            log("pushing %s" % ref)
            skopeo_copy("oci:%s:latest" % layout, "docker://" + ref, a.creds, extra)
            info = {"name": name, "ref": ref, "tag": "latest"}
            info.update(reg.describe_manifest(name, "latest"))
            summary["images"].append(info)
        if "multi" in built:
            arch = os.path.join(out, "multi-docker-archive.tar")
            if os.path.exists(arch):
                os.unlink(arch)
            log("writing %s" % arch)
            skopeo_copy("oci:%s:latest" % built["multi"], "docker-archive:%s:multi:latest" % arch, None, [])
            summary["docker_archive"] = None if tmp else arch
        if tmp:
            summary["oci_layouts"] = {}
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    summary["seconds"] = round(time.time() - t0, 1)
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
