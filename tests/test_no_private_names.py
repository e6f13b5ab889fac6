"""No code of ours reaches into a library's private names: they change in a
minor release without notice, and no test of ours would say why."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ["alert", "units", "reporting", "tests"]
PRIVATE = [
    r"\._cache\b",  # Django's cache backends' client
    r"\.get_client\(",  # ... and its Redis client
    r"\b_archive\b",  # openpyxl's workbook zip
    r"\b_shared_strings\b",  # openpyxl's worksheet internals
    r"\b_worksheet_path\b",
    r"\bWorkSheetParser\b",
    r"\b_queryset\b",  # DRF's DjangoModelPermissions internals
    r"\b_perm_cache\b",  # ModelBackend's per-request permissions
    r"\b_user_perm_cache\b",
    r"\b_group_perm_cache\b",
    r"\b_result_cache\b",  # a QuerySet's rows
    r"\b_prefetched_objects_cache\b",
]
PATTERN = re.compile("|".join(PRIVATE))


def our_files():
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts and path != Path(__file__).resolve():
                yield path


def test_the_scan_finds_a_private_name():
    assert PATTERN.search("client = cache._cache.get_client(write=True)")
    assert PATTERN.search("with book._archive.open(path) as source:")
    assert not PATTERN.search("model._meta.concrete_fields")


def test_no_code_of_ours_uses_a_private_name_of_a_library():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in our_files()
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if PATTERN.search(line)
    ]
    assert not found, "\n".join(found)
