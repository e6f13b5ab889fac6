"""No code of ours reaches into a library's private names: they change in a
minor release without notice, and no test of ours would say why."""

import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["alert", "units", "reporting", "tabular", "tests"]
# Names read in code (strings and comments are not code).
PRIVATE = {
    "_cache",  # Django's cache backends' client
    "get_client",  # ... and its Redis connection
    "_archive",  # openpyxl's workbook zip
    "_shared_strings",  # openpyxl's worksheet internals
    "_worksheet_path",
    "_reader",
    "WorkSheetParser",
    "_queryset",  # DRF's DjangoModelPermissions internals
    "_perm_cache",  # ModelBackend's per-request permissions
    "_user_perm_cache",
    "_group_perm_cache",
    "_result_cache",  # a QuerySet's rows
    "_prefetched_objects_cache",
}


def private_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of each private name the code uses."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        (token.start[0], token.string)
        for token in tokens
        if token.type == tokenize.NAME and token.string in PRIVATE
    ]


def our_files():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_scan_finds_a_private_name_in_code_only():
    assert private_names("client = cache._cache.get_client(write=True)\n") == [
        (1, "_cache"),
        (1, "get_client"),
    ]
    assert private_names("from openpyxl.worksheet._reader import WorkSheetParser\n")
    assert private_names('names = ("WorkSheetParser", "_archive")  # book._archive\n') == []
    assert private_names("model._meta.concrete_fields\n") == []


def test_no_code_of_ours_uses_a_private_name_of_a_library():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in our_files()
        if path != Path(__file__).resolve()
        for line, name in private_names(path.read_text("utf-8"))
    ]
    assert not found, "\n".join(found)
