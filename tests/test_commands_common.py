"""The helpers every CLI command shares (commands/common.py)."""

from __future__ import annotations

import pytest
import typer

from asc_assure.assurance.workspace import NotFound, WorkspaceError
from asc_assure.commands import common


def _exit_code(call, *args, **kwargs) -> int:
    with pytest.raises(typer.Exit) as stopped:
        call(*args, **kwargs)
    return stopped.value.exit_code


def test_run_returns_the_result_and_turns_a_workspace_error_into_exit_2(capsys):
    assert common.run(lambda a, b=0: a + b, 1, b=2) == 3
    assert _exit_code(common.run, lambda: (_ for _ in ()).throw(NotFound("no risk 'R9'"))) == 2
    assert capsys.readouterr().err == "error: no risk 'R9'\n"

    def other():
        raise KeyError("not for users")

    with pytest.raises(KeyError):  # only a WorkspaceError is the user's mistake
        common.run(other)
    assert issubclass(NotFound, WorkspaceError)


def test_text_or_file_takes_exactly_one(tmp_path, capsys):
    note = tmp_path / "note.txt"
    note.write_text("From a file.\n", encoding="utf-8")
    assert common.text_or_file("Typed.", None, "give one") == "Typed."
    assert common.text_or_file("", None, "give one") == ""
    assert common.text_or_file(None, note, "give one") == "From a file.\n"
    assert _exit_code(common.text_or_file, None, None, "give the note with --text or --file") == 2
    assert capsys.readouterr().err == "error: give the note with --text or --file\n"
    assert _exit_code(common.text_or_file, "Typed.", note, "give one") == 2
    assert capsys.readouterr().err == "error: give one\n"
    assert _exit_code(common.text_or_file, None, tmp_path / "missing.txt", "give one") == 2
    assert "cannot read --file" in capsys.readouterr().err


def test_require_store_names_the_missing_folder(tmp_path, capsys):
    common.require_store(tmp_path)
    assert _exit_code(common.require_store, tmp_path / "nowhere") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: store folder {tmp_path / 'nowhere'} does not exist") and "asc-assure demo" in err
