"""Reading a submission with the privileges of whoever owns it, not the grader's.

The grader often runs as root.  ``collect`` already opens nothing it did not
check, but as a second wall the whole read (listing, opening, notebook parsing)
runs in a forked child that has dropped to the uid and gid owning the student's
folder: even a mistake in the reader cannot read what that owner could not (the
course secret, another student's folder).  When the folder belongs to root (an
archive unpacked by root) or we are not root, the read runs in this process.

The child's answer comes back as plain length-prefixed frames, never pickle: the
child ran on student bytes as another user, so the parent trusts nothing but the
framing (names are checked again by the caller's rules).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable

from grader.errors import GraderError, SubmissionError

Reader = Callable[[int], dict[str, bytes]]
_KINDS = {b"U": "unsafe", b"S": "submission"}


def read_as_owner(folder_fd: int, read: Reader, *, answer_limit: int,
                  unsafe: type[SubmissionError] = SubmissionError) -> dict[str, bytes]:
    """``read(folder_fd)``, as the folder's owner when we are root and it is not root."""
    owner = os.fstat(folder_fd)
    if os.geteuid() != 0 or owner.st_uid == 0:
        return read(folder_fd)
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop, read, answer, exit without cleanup of the parent's state
        os.close(readable)
        _child(folder_fd, read, owner.st_uid, owner.st_gid, writable, unsafe)
    os.close(writable)
    try:
        answer = _read_all(readable, answer_limit)
    finally:
        os.close(readable)
        _, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        raise GraderError(f"the submission reader (uid {owner.st_uid}) failed: status {status}")
    return decode(answer, unsafe)


def _child(folder_fd: int, read: Reader, uid: int, gid: int, out: int,
           unsafe: type[SubmissionError]) -> None:
    code = 1
    try:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)  # also makes us non-dumpable: the owner cannot ptrace us
        try:
            payload = b"F" + encode(read(folder_fd))
        except unsafe as error:
            payload = b"U" + str(error).encode("utf-8", "replace")
        except SubmissionError as error:
            payload = b"S" + str(error).encode("utf-8", "replace")
        except OSError as error:
            payload = b"S" + f"cannot read the submission ({error.strerror})".encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(out, view):]
        code = 0
    finally:
        os._exit(code)


def encode(files: dict[str, bytes]) -> bytes:
    parts = []
    for name, data in files.items():
        raw = name.encode("utf-8", "surrogateescape")
        parts += [struct.pack(">I", len(raw)), raw, struct.pack(">Q", len(data)), data]
    return b"".join(parts)


def decode(answer: bytes, unsafe: type[SubmissionError]) -> dict[str, bytes]:
    """The child's answer: files, or the error it met (as the same exception type)."""
    kind, body = answer[:1], answer[1:]
    if kind in _KINDS:
        error = unsafe if _KINDS[kind] == "unsafe" else SubmissionError
        raise error(body.decode("utf-8", "replace"))
    if kind != b"F":
        raise GraderError("the submission reader gave no answer")
    files: dict[str, bytes] = {}
    at = 0
    while at < len(body):
        (size,) = struct.unpack_from(">I", body, at)
        name = body[at + 4: at + 4 + size].decode("utf-8", "surrogateescape")
        at += 4 + size
        (length,) = struct.unpack_from(">Q", body, at)
        files[name] = body[at + 8: at + 8 + length]
        at += 8 + length
    return files


def _read_all(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = os.read(fd, 1 << 16)  # a pipe gives at most 64 KiB a read
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise GraderError("the submission reader answered more than the size limit")
        chunks.append(chunk)
