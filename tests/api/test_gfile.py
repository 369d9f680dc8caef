"""tf.gfile on the local file system: GFile modes, atomic writes, TF's error classes."""

from __future__ import annotations

import os

import pytest
from ortflow.api import gfile
from ortflow.errors import AlreadyExistsError, NotFoundError, PermissionDeniedError


def test_text_and_binary_round_trip(tmp_path):
    path = str(tmp_path / "a.txt")
    with gfile.GFile(path, "w") as f:
        f.write("line1\nline2\n")
        f.write(b"bytes too\n")
    with gfile.GFile(path, "r") as f:
        assert f.read() == "line1\nline2\nbytes too\n"
    with gfile.FastGFile(path, "rb") as f:
        assert f.read(5) == b"line1"
        assert f.tell() == 5
        f.seek(0)
        assert f.readline() == b"line1\n"
        assert f.size() == 22
    with gfile.Open(path) as f:
        assert list(f) == ["line1\n", "line2\n", "bytes too\n"]


def test_write_is_atomic_until_close(tmp_path):
    path = tmp_path / "model.pb"
    path.write_bytes(b"old")
    f = gfile.GFile(str(path), "wb")
    f.write(b"new content")
    f.flush()
    assert path.read_bytes() == b"old"  # not visible before close
    f.close()
    assert path.read_bytes() == b"new content"
    assert sorted(os.listdir(tmp_path)) == ["model.pb"]


def test_failed_block_keeps_old_content(tmp_path):
    path = tmp_path / "model.pb"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), gfile.GFile(str(path), "wb") as f:
        f.write(b"half")
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["model.pb"]


def test_append_and_empty_write(tmp_path):
    path = str(tmp_path / "log.txt")
    gfile.GFile(path, "w").close()
    assert os.path.getsize(path) == 0
    for word in ("a", "b"):
        with gfile.GFile(path, "a") as f:
            f.write(word)
    assert gfile.GFile(path).read() == "ab"


def test_mode_errors(tmp_path):
    with pytest.raises(ValueError, match="mode 'x'"):
        gfile.GFile(str(tmp_path / "f"), "x")
    path = str(tmp_path / "f")
    with gfile.GFile(path, "w") as f:
        with pytest.raises(PermissionDeniedError, match="not opened for reading"):
            f.read()
    with pytest.raises(PermissionDeniedError, match="not opened for writing"):
        gfile.GFile(path, "r").write("x")
    with pytest.raises(NotFoundError, match="missing"):
        gfile.GFile(str(tmp_path / "missing"), "rb").read()
    with pytest.raises(NotFoundError, match="does not exist"):
        gfile.GFile(str(tmp_path / "nodir" / "f"), "w").write("x")


def test_directory_functions(tmp_path):
    root = str(tmp_path / "r")
    gfile.MakeDirs(os.path.join(root, "a", "b"))
    gfile.MakeDirs(os.path.join(root, "a", "b"))  # exists: fine
    assert gfile.IsDirectory(root) and gfile.Exists(root)
    for name in ("x.pb", "a/y.pb", "a/b/z.txt"):
        with gfile.GFile(os.path.join(root, name), "w") as f:
            f.write(name)
    assert sorted(gfile.ListDirectory(root)) == ["a", "x.pb"]
    assert gfile.Glob(os.path.join(root, "*.pb")) == [os.path.join(root, "x.pb")]
    assert sorted(gfile.Glob([os.path.join(root, "*.pb"), os.path.join(root, "a", "*.pb")])) == [
        os.path.join(root, "a", "y.pb"), os.path.join(root, "x.pb")]
    walked = [(d, sorted(s), sorted(f)) for d, s, f in gfile.Walk(root)]
    assert walked[0] == (root, ["a"], ["x.pb"])
    assert [w[0] for w in gfile.Walk(root, in_order=False)][-1] == root
    assert list(gfile.Walk(os.path.join(root, "missing"))) == []
    stat = gfile.Stat(os.path.join(root, "x.pb"))
    assert stat.length == 4 and not stat.is_directory and stat.mtime_nsec > 0
    assert gfile.Stat(root).is_directory
    with pytest.raises(NotFoundError, match="Could not find directory"):
        gfile.ListDirectory(os.path.join(root, "missing"))
    gfile.DeleteRecursively(os.path.join(root, "a"))
    assert gfile.ListDirectory(root) == ["x.pb"]
    with pytest.raises(NotFoundError):
        gfile.DeleteRecursively(os.path.join(root, "a"))


def test_rename_copy_remove(tmp_path):
    a, b, c = (str(tmp_path / n) for n in "abc")
    for path, text in ((a, "A"), (b, "B")):
        with gfile.GFile(path, "w") as f:
            f.write(text)
    with pytest.raises(AlreadyExistsError, match="already exists"):
        gfile.Rename(a, b)
    gfile.Rename(a, b, overwrite=True)
    assert not gfile.Exists(a) and gfile.GFile(b).read() == "A"
    gfile.Copy(b, c)
    with pytest.raises(AlreadyExistsError):
        gfile.Copy(b, c)
    gfile.copy(b, c, overwrite=True)
    assert gfile.GFile(c).read() == "A"
    gfile.Remove(c)
    with pytest.raises(NotFoundError):
        gfile.Remove(c)
    with pytest.raises(NotFoundError):
        gfile.Rename(c, a)
    with pytest.raises(NotFoundError):
        gfile.Stat(c)


def test_tf_io_gfile_spellings():
    assert gfile.exists is gfile.Exists and gfile.listdir is gfile.ListDirectory
    assert gfile.makedirs is gfile.MakeDirs and gfile.rmtree is gfile.DeleteRecursively


@pytest.mark.interop
def test_files_written_by_tf_gfile_read_here_and_back(tf, tmp_path):
    path = str(tmp_path / "t.bin")
    with tf.gfile.GFile(path, "wb") as f:
        f.write(b"\x00\x01tf")
    assert gfile.GFile(path, "rb").read() == b"\x00\x01tf"
    with gfile.GFile(path, "w") as f:
        f.write("ours")
    assert tf.gfile.GFile(path, "r").read() == "ours"
    assert sorted(gfile.ListDirectory(str(tmp_path))) == sorted(tf.gfile.ListDirectory(str(tmp_path)))
    with pytest.raises(tf.errors.NotFoundError):
        tf.gfile.ListDirectory(str(tmp_path / "missing"))
