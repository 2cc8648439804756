"""Read a submission into memory: file name -> bytes, never following anything.

The only place that opens a student's files on their behalf; everything after it
works on the bytes it returns.  The grader may run as root, so a submission must
never make it read anything else: every file is opened relative to a descriptor
of its folder with ``O_NOFOLLOW`` (a symbolic link is refused, not followed),
checked with ``fstat`` on the opened descriptor (only regular files with one
name; FIFOs, sockets, devices and hard links are refused) and read up to a size
limit.  Folders are opened the same way, so a link at any level (the student's
folder, nbgrader's ``<student>/<assignment>/``) is refused too.  Only the path the
instructor typed is resolved normally (its parents are the instructor's).  As
root, the whole read runs as the owner of the student's folder (``owner_read``).

A refused file makes the whole submission unreadable (``UnsafeFileError``, with a
message naming each file and what to do): the student resubmits the files
themselves.  An oversized file or a broken notebook is only noted, so the rest is
graded (see ``missing_reason``).
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from grader.errors import SubmissionError
from grader.grading.owner_read import read_as_owner

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 64
MAX_ENTRIES = 4096  # entries of one folder looked at, so a huge folder cannot stall us
MAX_TOTAL_BYTES = 16 * 1024 * 1024  # all code files of one submission together
NOTEBOOK_PREFIX = "notebook:"
OVERSIZED_PREFIX = "oversized:"
UNREADABLE_PREFIX = "unreadable:"  # value: why the file could not be used (UTF-8)
CODE_SUFFIXES = (".py", ".ipynb")

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafeFileError(SubmissionError):
    """A file or folder of a submission is not a plain file or folder (a link, a FIFO,
    a device...); it is refused, never followed or read."""


class OversizedFileError(SubmissionError):
    """A file is larger than the limit; it was not read past the limit."""


def submission_hash(files: Mapping[str, bytes]) -> str:
    """A content hash of a submission, independent of file order and timestamps."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def read_regular_file(folder: int | Path | str, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``folder/name`` when it is a regular file with one name, at most
    ``limit`` bytes; never follows a symbolic link, never blocks on a FIFO.  ``folder``
    is an open directory descriptor, or a path (resolved normally: it is the caller's,
    not the student's).  Raises ``UnsafeFileError`` or ``OversizedFileError`` naming
    ``name``."""
    if isinstance(folder, int):
        return _read_at(folder, name, limit)
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return _read_at(folder_fd, name, limit)
    finally:
        os.close(folder_fd)


def open_folder(parent: int | None, name: str | Path) -> int:
    """A descriptor of the folder ``name`` (relative to ``parent``, or a path when
    ``parent`` is None), refusing a final component that is a link or not a folder."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
    except FileNotFoundError:
        raise SubmissionError(f"no submission at {name}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFileError(_refusal(_label(name), info, "folder"))
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as error:  # swapped for a link after the check above
        raise UnsafeFileError(f"`{_label(name)}` cannot be opened as a folder ({error.strerror})"
                              ) from None


def collect_submission(path: Path | str) -> dict[str, bytes]:
    """Read a submission folder (or one file) without modifying or following anything.

    Python modules are taken as they are; a notebook's code cells are turned into
    modules too, stored under ``notebook:<module>.py`` so grading can prefer them
    when the ``.py`` file is still the untouched stub.  Files named ``test_*`` and
    anything that is not ``.py``/``.ipynb`` are never opened.
    """
    path = Path(path)
    info = _lstat(None, path)
    if not stat.S_ISDIR(info.st_mode) and not stat.S_ISREG(info.st_mode):
        raise UnsafeFileError(_refusal(_label(path), info, "folder"))
    if not stat.S_ISDIR(info.st_mode):
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            return _collect_names(parent, {path.name: False})
        finally:
            os.close(parent)
    folder = open_folder(None, path)
    try:
        return read_as_owner(folder, _collect_folder, unsafe=UnsafeFileError,
                             answer_limit=MAX_TOTAL_BYTES + MAX_FILE_BYTES + (1 << 20))
    finally:
        os.close(folder)


def _collect_folder(folder_fd: int) -> dict[str, bytes]:
    """Everything ``collect_submission`` reads below an open folder (possibly in the
    owner's reader process, see ``owner_read``)."""
    root, names = _open_submission_root(os.dup(folder_fd))
    try:
        return _collect_names(root, _entries(root) if names is None else names)
    finally:
        os.close(root)


def submission_root(path: Path) -> Path:
    """The folder that holds the work: ``path`` itself, or its only subfolder when
    ``path`` holds no code (nbgrader's ``submitted/<student>/<assignment>/`` layout).
    Looks without following links (a linked subfolder is not descended into)."""
    path = Path(path)
    if not stat.S_ISDIR(_lstat(None, path).st_mode):
        return path
    folder = open_folder(None, path)
    try:
        subfolder = _only_subfolder(folder, _entries(folder))
    finally:
        os.close(folder)
    return path / subfolder if subfolder else path


def missing_reason(files: Mapping[str, bytes], module_file: str) -> str:
    """Why ``module_file`` is not among the files read: too large, a notebook that
    could not be read, or simply not submitted."""
    if OVERSIZED_PREFIX + module_file in files:
        return f"{module_file} is larger than {MAX_FILE_BYTES // 2**20} MiB and was not read"
    notes = [data.decode("utf-8", "replace") for name, data in sorted(files.items())
             if name.startswith(UNREADABLE_PREFIX)]
    return "; ".join([f"no file {module_file} in the submission", *notes])


def _read_at(folder_fd: int, name: str, limit: int, listed_regular: bool = False) -> bytes:
    if not name or "/" in name or name in (".", ".."):
        raise UnsafeFileError(f"`{name}` is not a file name")
    info = None if listed_regular else _lstat(folder_fd, name)  # see _entries
    if info is not None and not stat.S_ISREG(info.st_mode):  # a device is never opened
        raise UnsafeFileError(_refusal(name, info))
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder_fd)
    except OSError as error:  # replaced by a link or removed since the check above
        raise UnsafeFileError(f"`{name}` cannot be opened ({error.strerror}); "
                              "submit the file itself") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or opened.st_nlink != 1:
            raise UnsafeFileError(_refusal(name, opened))
        if opened.st_size > limit:
            raise OversizedFileError(f"`{name}` is larger than {limit} bytes")
        return _read_up_to(fd, name, limit, opened.st_size)
    finally:
        os.close(fd)


def _read_up_to(fd: int, name: str, limit: int, expected: int) -> bytes:
    """At most ``limit`` bytes, however the file grows while it is read.  The first
    read asks for ``fstat``'s size plus one (a megabyte a read made Python map and
    unmap a megabyte buffer per small file: most of the batch parent's reading)."""
    chunks: list[bytes] = []
    size, want = 0, min(expected, limit) + 1
    while size <= limit:
        chunk = os.read(fd, min(want, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size, want = size + len(chunk), 1 << 16
    raise OversizedFileError(f"`{name}` is larger than {limit} bytes")


def _refusal(name: str, info: os.stat_result, wanted: str = "file") -> str:
    """What is wrong with ``name`` (expected a regular ``wanted``) and what to do."""
    mode = info.st_mode
    kinds = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"),
             (stat.S_ISREG, "a file"))
    for test, kind in kinds:
        if test(mode) and not (wanted == "file" and stat.S_ISREG(mode)):
            plain = "regular file" if wanted == "file" else wanted
            return f"`{name}` is {kind}, not a {plain}; submit the {wanted} itself"
    if stat.S_ISREG(mode) and info.st_nlink != 1:
        return (f"`{name}` is a hard link (one file with {info.st_nlink} names); "
                "submit a copy of the file itself")
    return f"`{name}` is not a regular file; submit the file itself"


def _lstat(folder_fd: int | None, name: str | Path) -> os.stat_result:
    try:
        return os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise SubmissionError(f"no submission at {name}") from None


def _label(name: str | Path) -> str:
    return Path(name).name or str(name)


def _entries(folder_fd: int) -> dict[str, bool]:
    """The names in a folder (at most ``MAX_ENTRIES``), sorted, each with whether the
    listing's file type says a regular file: ``lstat``'s check before opening, without a
    call per file (either can be raced; ``O_NOFOLLOW`` and ``fstat`` then decide)."""
    names: dict[str, bool] = {}
    with os.scandir(folder_fd) as scan:
        for entry in scan:
            names[entry.name] = entry.is_file(follow_symlinks=False)
            if len(names) >= MAX_ENTRIES:
                break
    return dict(sorted(names.items()))


def _is_code_name(name: str) -> bool:
    """A module Python could import (``identifier.py``) or a notebook with a printable
    UTF-8 name (not undecodable bytes); test files are the release's, not the student's."""
    undecodable = any("\udc80" <= c <= "\udcff" for c in name)
    if name.startswith("test_") or not name.isprintable() or undecodable:
        return False
    if name.endswith(".py"):
        return name.removesuffix(".py").isidentifier()
    return name.endswith(".ipynb")


def _only_subfolder(folder_fd: int, names: Mapping[str, bool]) -> str | None:
    """nbgrader's layout: no code here and exactly one visible entry, a folder (or a
    link posing as one, which ``open_folder`` then refuses)."""
    if any(name.endswith(CODE_SUFFIXES) for name in names):
        return None
    visible = [n for n in names if not n.startswith(".")]
    if len(visible) != 1:
        return None
    mode = _lstat(folder_fd, visible[0]).st_mode
    return visible[0] if stat.S_ISDIR(mode) or stat.S_ISLNK(mode) else None


def _open_submission_root(folder_fd: int) -> tuple[int, dict[str, bool] | None]:
    """``folder_fd`` and its ``_entries``, or its only subfolder (closing ``folder_fd``)
    and None."""
    try:
        names = _entries(folder_fd)
        subfolder = _only_subfolder(folder_fd, names)
        if subfolder is None:
            return folder_fd, names
        inner = open_folder(folder_fd, subfolder)
    except BaseException:
        os.close(folder_fd)
        raise
    os.close(folder_fd)
    return inner, None


def _collect_names(folder_fd: int, names: Mapping[str, bool]) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    refused: list[str] = []
    left = MAX_TOTAL_BYTES
    for name in [n for n in names if _is_code_name(n)][: MAX_FILES * 2]:
        try:
            data = _read_at(folder_fd, name, min(MAX_FILE_BYTES, left), names[name])
        except OversizedFileError:
            files[OVERSIZED_PREFIX + name] = b""  # so grading can say why
            continue
        except UnsafeFileError as error:
            refused.append(str(error))
            continue
        left -= len(data)
        if name.endswith(".py"):
            files[name] = data
        else:
            files.update(_notebook_modules(name, data))
    if refused:
        raise UnsafeFileError("; ".join(refused))
    return dict(list(files.items())[:MAX_FILES])


def _notebook_modules(name: str, data: bytes) -> dict[str, bytes]:
    from grader.grading.notebook_cells import notebook_to_files

    try:
        modules = notebook_to_files(data)
    except ValueError as error:
        return {UNREADABLE_PREFIX + name: f"{name} could not be read: {error}".encode()}
    return {NOTEBOOK_PREFIX + module: source for module, source in modules.items()}
