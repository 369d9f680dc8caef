"""`tf.gfile` / `tf.io.gfile` on the local file system: GFile and the file-system functions.

Files opened for writing (`w`, `wb`) are written to a temporary name beside the target and
renamed into place on `close()`, so a reader never sees half a file and a crash leaves the old
content. Append mode (`a`, `ab`) writes in place, as appending cannot be made atomic. Errors
are TensorFlow's: `NotFoundError`, `AlreadyExistsError`, `FailedPreconditionError`, ...
"""

from __future__ import annotations

import contextlib
import errno
import glob as _glob
import os
import shutil
import tempfile
from collections import namedtuple

from ortflow.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    NotFoundError,
    OpError,
    PermissionDeniedError,
    UnknownError,
)

__all__ = [
    "Copy",
    "DeleteRecursively",
    "Exists",
    "FastGFile",
    "FileStatistics",
    "GFile",
    "Glob",
    "IsDirectory",
    "ListDirectory",
    "MakeDirs",
    "MkDir",
    "Open",
    "Remove",
    "Rename",
    "Stat",
    "Walk",
    "copy",
    "exists",
    "glob",
    "isdir",
    "listdir",
    "makedirs",
    "mkdir",
    "remove",
    "rename",
    "rmtree",
    "stat",
    "walk",
]

_MODES = {"r", "rb", "w", "wb", "a", "ab", "r+", "rb+", "w+", "wb+", "a+", "ab+"}

#: What `Stat` returns, with TensorFlow's field names.
FileStatistics = namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])


def _translate(e: OSError, path) -> OpError:
    # One place maps an OSError to the TensorFlow error class a TF user would catch.
    message = f"{path}; {e.strerror or e}"
    if e.errno == errno.ENOENT:
        return NotFoundError(None, None, message)
    if e.errno == errno.EEXIST:
        return AlreadyExistsError(None, None, message)
    if e.errno in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError(None, None, message)
    if e.errno in (errno.ENOTDIR, errno.EISDIR, errno.ENOTEMPTY):
        return FailedPreconditionError(None, None, message)
    return UnknownError(None, None, message)


@contextlib.contextmanager
def _os_errors(path):
    try:
        yield
    except OSError as e:
        raise _translate(e, path) from e


class GFile:
    """A file, as `tf.gfile.GFile(name, mode)`: text modes read and write `str`, `b` modes bytes.

    The file is opened on first use, so creating a GFile for a missing file fails only when it
    is read. Writes in `w`/`wb` mode become visible at `close()` (temp file + rename).

    Args:
        name: the path.
        mode: one of r, rb, w, wb, a, ab (and the `+` variants).

    Example:
        >>> with GFile("/tmp/x.txt", "w") as f:   # doctest: +SKIP
        ...     f.write("hello")
    """

    def __init__(self, name, mode: str = "r"):
        mode = mode.replace("t", "")
        if mode not in _MODES:
            raise ValueError(f"GFile mode {mode!r} is not one of r, rb, w, wb, a, ab (with optional +)")
        self.name = os.fspath(name)
        self._mode = mode
        self._f = None
        self._tmp: str | None = None
        self._closed = False

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def _binary(self) -> bool:
        return "b" in self._mode

    def _file(self):
        if self._closed:
            raise ValueError(f"I/O operation on closed file {self.name!r}")
        if self._f is None:
            self._f = self._open()
        return self._f

    def _open(self):
        kind = self._mode[0]
        text_kw = {} if self._binary else {"encoding": "utf-8", "newline": ""}
        raw_mode = kind + ("+" if "+" in self._mode else "") + ("b" if self._binary else "")
        with _os_errors(self.name):
            if kind != "w":
                return open(self.name, raw_mode, **text_kw)
            directory = os.path.dirname(os.path.abspath(self.name))
            if not os.path.isdir(directory):
                raise NotFoundError(None, None, f"{self.name}; the directory {directory!r} does not exist")
            fd, self._tmp = tempfile.mkstemp(prefix=f".{os.path.basename(self.name)}.", suffix=".tmp",
                                             dir=directory)
            return os.fdopen(fd, raw_mode, **text_kw)

    def _check_readable(self) -> None:
        if self._mode[0] != "r" and "+" not in self._mode:
            raise PermissionDeniedError(None, None, f"{self.name}; the file is not opened for reading "
                                                    f"(mode {self._mode!r})")

    def _check_writable(self) -> None:
        if self._mode[0] == "r" and "+" not in self._mode:
            raise PermissionDeniedError(None, None, f"{self.name}; the file is not opened for writing "
                                                    f"(mode {self._mode!r})")

    def read(self, n: int = -1):
        """Reads `n` bytes or characters (all that is left when `n` is -1)."""
        self._check_readable()
        with _os_errors(self.name):
            return self._file().read(-1 if n is None else n)

    def readline(self):
        """Reads one line, with its newline."""
        self._check_readable()
        with _os_errors(self.name):
            return self._file().readline()

    def readlines(self) -> list:
        """Reads all remaining lines."""
        self._check_readable()
        with _os_errors(self.name):
            return self._file().readlines()

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, data) -> None:
        """Writes `str` or bytes (text is UTF-8 encoded in binary mode, bytes decoded in text mode)."""
        self._check_writable()
        if self._binary and isinstance(data, str):
            data = data.encode("utf-8")
        elif not self._binary and isinstance(data, (bytes, bytearray, memoryview)):
            data = bytes(data).decode("utf-8")
        with _os_errors(self.name):
            self._file().write(data)

    def seek(self, offset: int | None = None, whence: int = 0, position: int | None = None) -> None:
        """Moves to `offset` (TF also accepts it as `position=`)."""
        if position is not None:
            offset = position
        with _os_errors(self.name):
            self._file().seek(offset, whence)

    def tell(self) -> int:
        """The current position."""
        return self._file().tell()

    def size(self) -> int:
        """The file's size in bytes."""
        if self._f is not None and self._tmp is not None:
            self._f.flush()
            return os.path.getsize(self._tmp)
        with _os_errors(self.name):
            return os.path.getsize(self.name)

    def flush(self) -> None:
        """Pushes buffered data to the operating system (a `w` file still appears only on close)."""
        if self._f is not None:
            self._f.flush()

    def close(self) -> None:
        """Closes the file; in `w` mode, renames the written temp file into place."""
        if self._closed:
            return
        self._closed = True
        if self._f is None and self._mode[0] == "w":
            self._f = self._open()  # an empty written file still exists after close, as in TF
        if self._f is None:
            return
        f, self._f = self._f, None
        try:
            f.flush()
            if self._tmp is not None:
                os.fsync(f.fileno())
            f.close()
            if self._tmp is not None:
                os.replace(self._tmp, self.name)
        except OSError as e:
            raise _translate(e, self.name) from e
        finally:
            if self._tmp is not None and os.path.exists(self._tmp):
                os.unlink(self._tmp)
            self._tmp = None

    def __enter__(self) -> GFile:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None and self._tmp is not None:
            # The block failed: leave the target as it was.
            self._closed = True
            f, self._f = self._f, None
            with contextlib.suppress(OSError):
                f.close()
                os.unlink(self._tmp)
            return
        self.close()

    def __del__(self):
        # An unclosed file written in `w` mode is discarded, not half-published.
        with contextlib.suppress(Exception):
            if self._f is not None:
                self._f.close()
            if self._tmp is not None:
                os.unlink(self._tmp)


#: TF 1.x's "fast" GFile is the same class.
FastGFile = GFile
Open = GFile


def Exists(filename) -> bool:
    """True if the path exists (file or directory)."""
    return os.path.exists(os.fspath(filename))


def IsDirectory(dirname) -> bool:
    """True if the path is a directory."""
    return os.path.isdir(os.fspath(dirname))


def MakeDirs(dirname) -> None:
    """Creates a directory and its parents; no error if it exists."""
    with _os_errors(dirname):
        os.makedirs(os.fspath(dirname), exist_ok=True)


def MkDir(dirname) -> None:
    """Creates one directory; the parent must exist. No error if it exists already."""
    with _os_errors(dirname):
        try:
            os.mkdir(os.fspath(dirname))
        except FileExistsError:
            if not os.path.isdir(os.fspath(dirname)):
                raise


def ListDirectory(dirname) -> list[str]:
    """The names (not paths) in a directory, without `.` and `..`.

    Raises:
        NotFoundError: the directory does not exist.
    """
    dirname = os.fspath(dirname)
    if not os.path.isdir(dirname):
        raise NotFoundError(None, None, f"Could not find directory {dirname}")
    with _os_errors(dirname):
        return os.listdir(dirname)


def Glob(filename) -> list[str]:
    """The paths matching a pattern (or any of a list of patterns)."""
    patterns = [filename] if isinstance(filename, (str, bytes, os.PathLike)) else list(filename)
    found: list[str] = []
    for pattern in patterns:
        found.extend(_glob.glob(os.fspath(pattern)))
    return found


def Remove(filename) -> None:
    """Deletes a file.

    Raises:
        NotFoundError: the file does not exist.
    """
    with _os_errors(filename):
        os.remove(os.fspath(filename))


def DeleteRecursively(dirname) -> None:
    """Deletes a directory and everything in it (or a single file).

    Raises:
        NotFoundError: the path does not exist.
    """
    dirname = os.fspath(dirname)
    if not os.path.lexists(dirname):
        raise NotFoundError(None, None, f"{dirname}; No such file or directory")
    with _os_errors(dirname):
        if os.path.isdir(dirname) and not os.path.islink(dirname):
            shutil.rmtree(dirname)
        else:
            os.remove(dirname)


def Rename(oldname, newname, overwrite: bool = False) -> None:
    """Renames a file or directory.

    Raises:
        AlreadyExistsError: `newname` exists and `overwrite` is False.
        NotFoundError: `oldname` does not exist.
    """
    oldname, newname = os.fspath(oldname), os.fspath(newname)
    if not overwrite and os.path.exists(newname):
        raise AlreadyExistsError(None, None, f"file already exists: {newname}")
    with _os_errors(oldname):
        os.replace(oldname, newname)


def Copy(oldpath, newpath, overwrite: bool = False) -> None:
    """Copies a file (through a temp file + rename at the destination).

    Raises:
        AlreadyExistsError: `newpath` exists and `overwrite` is False.
        NotFoundError: `oldpath` does not exist.
    """
    oldpath, newpath = os.fspath(oldpath), os.fspath(newpath)
    if not overwrite and os.path.exists(newpath):
        raise AlreadyExistsError(None, None, f"file already exists: {newpath}")
    from ortflow.formats.files import atomic_writer

    with _os_errors(oldpath), open(oldpath, "rb") as src, atomic_writer(newpath) as dst:
        shutil.copyfileobj(src, dst)


def Stat(filename) -> FileStatistics:
    """Size, modification time (ns) and whether it is a directory.

    Raises:
        NotFoundError: the path does not exist.
    """
    with _os_errors(filename):
        st = os.stat(os.fspath(filename))
    import stat as _stat

    return FileStatistics(length=st.st_size, mtime_nsec=st.st_mtime_ns,
                          is_directory=_stat.S_ISDIR(st.st_mode))


def Walk(top, in_order: bool = True):
    """Yields `(dirname, subdirs, files)` for `top` and every directory under it.

    `in_order=True` yields a directory before its subdirectories (top-down), False after.
    A missing `top` yields nothing, as in TensorFlow.
    """
    top = os.fspath(top)
    if not os.path.isdir(top):
        return
    yield from os.walk(top, topdown=in_order)


# tf.io.gfile spellings (TF 2.x / tf.compat.v1.io.gfile).
exists = Exists
isdir = IsDirectory
makedirs = MakeDirs
mkdir = MkDir
listdir = ListDirectory
glob = Glob
remove = Remove
rmtree = DeleteRecursively
stat = Stat
walk = Walk


def rename(src, dst, overwrite: bool = False) -> None:
    """`tf.io.gfile.rename`."""
    Rename(src, dst, overwrite)


def copy(src, dst, overwrite: bool = False) -> None:
    """`tf.io.gfile.copy`."""
    Copy(src, dst, overwrite)
