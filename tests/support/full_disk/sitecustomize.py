"""A full disk, simulated for a `workbench` subprocess (tests only: this folder is put on the
child's PYTHONPATH by the test that wants it; nothing in the package loads it).

With FULL_DISK_DIR and FULL_DISK_AFTER set, writes through `os.write` to files under
FULL_DISK_DIR succeed for FULL_DISK_AFTER bytes in all, the write that crosses the limit is
short (a partial line, as a real full disk leaves), and every later one raises ENOSPC."""

import errno
import os

_root = os.environ.get("FULL_DISK_DIR")
_after = os.environ.get("FULL_DISK_AFTER")

if _root and _after is not None:
    _real_write = os.write
    _left = [int(_after)]

    def _path(fd: int) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return ""

    def write(fd, data, /):
        if not _path(fd).startswith(_root):
            return _real_write(fd, data)
        if _left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = _real_write(fd, bytes(data[: _left[0]]))
        _left[0] -= n
        return n

    os.write = write
