#!/usr/bin/env python3
"""Write build.json for a kernel cache entry to stdout.

Called by kernel/build.sh with the facts in environment variables (shell has
no safe JSON quoting); argv[1] is the directory holding bzImage etc.
"""
import datetime
import hashlib
import json
import os
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def env(name):
    return os.environ.get(name, "")


def selftest(out, name, **what):
    """A static selftest binary in @out: its record, or None if absent."""
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    return {"file": name, "sha256": sha256(path), "static": True, **what}


def main():
    out = sys.argv[1]
    if env("WS_KIND") == "ksrc":
        source = {
            "kind": "ksrc",
            "path": env("WS_KSRC"),
            "git_describe": env("WS_DESCRIBE") or None,
            "tree_id": env("WS_TREE"),
        }
    else:
        source = {
            "kind": "debian-package",
            "package": env("WS_PKG"),
            "version": env("WS_VER"),
            "suite": env("WS_SUITE"),
            "deb_sha256": env("WS_DEB_SHA"),
            "tarball_sha256": env("WS_TAR_SHA"),
        }
    patches = []
    for line in env("PATCHES_MANIFEST").splitlines():
        digest, name = line.split(" ", 1)
        patches.append({"name": name, "sha256": digest})

    # The selftests built from the same tree, or None where not built.
    uffd = selftest(out, "uffd-unit-tests",
                    sources=env("UFFD_SOURCES").split())
    kvmst = selftest(out, "guest_memfd_test",
                     source="tools/testing/selftests/kvm/guest_memfd_test.c")

    fragments = env("WS_FRAGMENTS").split()
    doc = {
        "schema_version": 1,
        "key": env("KEY"),
        # KERNEL= recipe (kernel/kernels/<name>.conf) and its own series.
        "kernel": env("WS_KERNEL_NAME") or None,
        "series": env("WS_KERNEL_SERIES") or None,
        "source": source,
        "kernel_release": env("KRELEASE"),
        "patches": patches,
        "patches_hash": env("PATCHES_HASH") or None,
        "config_base": env("CONFIG_BASE"),
        # One name, or several joined with "+" (merged in that order).
        "config_fragment": "+".join(fragments),
        "config_fragments": fragments,
        "config_hash": env("CONFIG_HASH"),
        "toolchain": env("TOOLCHAIN"),
        "bzImage_sha256": sha256(os.path.join(out, "bzImage")),
        "config_sha256": sha256(os.path.join(out, "config")),
        "uffd_unit_tests": uffd,
        # The KVM selftest of guest_memfd, from this tree (KVM kernels).
        "kvm_selftests": kvmst,
        # Not part of the key: when and how long this particular build ran.
        "built_at": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "build_seconds": int(env("BUILD_SECONDS") or 0),
    }
    if uffd is None:
        doc["uffd_unit_tests_error"] = env("UFFD_ERROR") or "unknown"
    if kvmst is None:
        doc["kvm_selftests_error"] = env("KVMST_ERROR") or "unknown"
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
