#!/usr/bin/python3
"""Unmodified Python on shared memory, for wsbench attach's battery.

    pymem.py buffers [SECONDS]   allocate a memfd buffer, rewrite a hot part,
                                 read cold parts, grow it (mremap), free it,
                                 allocate and free a shared anonymous one
    pymem.py fork [SECONDS]      the same buffer; then fork a child that
                                 reads it all while the parent waits

Every 1 MiB chunk's SHA-256 is kept from the last write and checked with
hashlib on every read, so a page that came back wrong (zeros from a hole,
a lost write) is caught by the program itself, not by wsbench.  Prints one
verdict line "pymem MODE: N checks, B bad" and exits 0 when B is 0, 3 when
not.  The code is plain CPython: mmap, os.memfd_create, os.fork.
"""
import hashlib
import mmap
import os
import sys
import time

MB = 1 << 20
SIZE = 48 * MB
HOT = 4                 # chunks rewritten every step (the hot set)


class Buffer:
    """A mapping and the hash of every chunk as last written."""

    def __init__(self, m, size):
        self.m, self.size = m, size
        self.sums = {}
        self.checks = self.bad = 0

    def write(self, i, data):
        self.m[i * MB:(i + 1) * MB] = data
        self.sums[i] = hashlib.sha256(data).digest()

    def check(self, i, who="parent"):
        self.checks += 1
        got = hashlib.sha256(self.m[i * MB:(i + 1) * MB]).digest()
        if got != self.sums[i]:
            self.bad += 1
            print(f"pymem {who}: chunk {i} hash differs", flush=True)

    def check_all(self, who="parent"):
        for i in sorted(self.sums):
            self.check(i, who)


def pattern(i, gen):
    """1 MiB no page of which is zeros: cheap to make, unique per write."""
    return hashlib.sha256(f"{i}:{gen}".encode()).digest() * (MB // 32)


def memfd_buffer(size):
    fd = os.memfd_create("pymem", 0)
    os.ftruncate(fd, size)
    b = Buffer(mmap.mmap(fd, size), size)
    os.close(fd)                # the mapping keeps the memory
    for i in range(size // MB):
        b.write(i, os.urandom(MB))
    return b


def run(b, seconds):
    """Rewrite the hot set, read one cold chunk, every 50 ms."""
    end, gen = time.monotonic() + seconds, 0
    n = b.size // MB
    while time.monotonic() < end:
        gen += 1
        for i in range(HOT):
            b.write(i, pattern(i, gen))
        b.check(HOT + gen % (n - HOT))
        time.sleep(0.05)


def grow(b, size):
    """mmap.resize: ftruncate and mremap (which hands the range back)."""
    b.m.resize(size)
    for i in range(b.size // MB, size // MB):
        b.write(i, pattern(i, 0))
    b.size = size


def buffers(seconds):
    b = memfd_buffer(SIZE)
    run(b, seconds)
    b.check_all()
    grow(b, SIZE + 16 * MB)
    b.check_all()
    checks, bad = b.checks, b.bad
    b.m.close()                 # munmap: freed
    a = Buffer(mmap.mmap(-1, 16 * MB), 16 * MB)   # shared anonymous
    for i in range(16):
        a.write(i, os.urandom(MB))
    a.check_all()
    a.m.close()
    return checks + a.checks, bad + a.bad


def fork(seconds):
    b = memfd_buffer(SIZE // 2)
    run(b, seconds)
    pid = os.fork()
    if pid == 0:
        b.check_all("child")
        os._exit(3 if b.bad else 0)
    _, status = os.waitpid(pid, 0)
    child_ok = os.waitstatus_to_exitcode(status) == 0
    b.check_all()
    run(b, 0.3)
    return b.checks, b.bad + (0 if child_ok else 1)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "buffers"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    if mode not in ("buffers", "fork"):
        print(__doc__, file=sys.stderr)
        return 2
    checks, bad = (buffers if mode == "buffers" else fork)(seconds)
    print(f"pymem {mode}: {checks} checks, {bad} bad", flush=True)
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
