"""Making a folder, and saying in words why it cannot be made, or why a file could not be
read or written (:func:`os_reason`)."""

from __future__ import annotations

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
    ``digest.out: notes.txt: is a file, not a folder``; None when it is no file."""
    if folder.exists() and not folder.is_dir():
        return f"{setting}: {folder}: is a file, not a folder"
    return None


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
