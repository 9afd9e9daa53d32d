"""Making a folder, and saying in words why it cannot be made, or why a file could not be
read or written (:func:`os_reason`)."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class FolderError(OSError):
    """A folder cannot be made; its message is one line naming the folder and why."""


def make_folder(folder: Path) -> None:
    """Make ``folder`` and its parents, or raise :class:`FolderError` saying why not.

    Python's own message names neither the path nor the real cause: a file where a
    parent folder should be is ``File exists`` or ``Not a directory``.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FolderError(why_not(folder, error)) from None


def why_not(folder: Path, error: OSError) -> str:
    """Why ``folder`` could not be made: a file in its way, else the system's reason."""
    blocking = file_in_the_way(folder)
    if blocking is not None:
        return f"{blocking} is not a folder"
    return f"cannot make the folder {folder}: {os_reason(error)}"


def why_unwritable(folder: Path, error: OSError) -> str:
    """Why files cannot be written in ``folder``: a file in its way, else the system's
    reason (``read-only file system``), never the name of a file being staged there."""
    blocking = file_in_the_way(folder)
    if blocking is not None:
        return f"{blocking} is not a folder"
    return os_reason(error)


def file_named_as_folder(setting: str, folder: Path) -> str | None:
    """What a command says when the folder a ``setting`` names (``digest.out``, a scheduled
    job's ``out``) is a file, naming that setting, not an option the user never typed:
    ``digest.out: notes.txt: is a file, not a folder``; None when it is no file, or when
    this user cannot tell (a folder on its way it may not enter: what writes there says
    why, :func:`why_cannot_write`), never an error of its own."""
    try:
        if folder.exists() and not folder.is_dir():
            return f"{setting}: {folder}: is a file, not a folder"
    except OSError:
        return None
    return None


def why_cannot_write(folder: Path) -> str | None:
    """Why files could not be written in ``folder``, made first when missing, in the words
    :func:`why_unwritable` says it with once a write failed (``read-only file system``,
    ``notes.txt is not a folder``); None when they can, as far as the folder nearest to it
    that exists and this user's rights on it tell, without writing anything."""
    try:
        blocking = file_in_the_way(folder)
        if blocking is not None:
            return f"{blocking} is not a folder"
        nearest = next((path for path in (folder, *folder.parents) if path.exists()), None)
    except OSError as error:  # a folder on the way this user may not enter
        return os_reason(error)
    if nearest is None or os.access(nearest, os.W_OK | os.X_OK):
        return None
    code = errno.EROFS if read_only_file_system(nearest) else errno.EACCES
    return os_reason(OSError(code, os.strerror(code)))


def read_only_file_system(folder: Path) -> bool:
    """Whether ``folder`` is on a file system mounted read-only (False when unknown)."""
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def file_in_the_way(folder: Path) -> Path | None:
    """The nearest of ``folder`` and its parents that exists, when it is not a folder."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def os_reason(error: OSError) -> str:
    """The system's reason for ``error``, to end a sentence: ``no such file or directory``."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]
