"""Every relative link in our Markdown, and every docs path the container files name, resolves.

A link is relative when it has no scheme (``docs/api.md``, ``../README.md``,
``#backups``); a leading ``/`` means the repository root, as on GitHub. A
``#fragment`` on a Markdown target must name one of its headings, slugged as
GitHub slugs them. Links inside code (fenced blocks, inline code) are text,
not links, and are not checked.
"""

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_CHARACTERS = 12_000
# Files that are not Markdown but point readers at the docs in their comments.
CONTAINER_FILES = ("Dockerfile", "compose.yaml")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A code span may wrap onto the next line but never crosses a blank line.
INLINE_CODE = re.compile(r"(`+)(?:(?!\n[ \t]*\n).)+?\1", re.DOTALL)
# [text](target) and ![alt](target), with an optional "title"; <target> allowed.
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.MULTILINE)
HTML_LINK = re.compile(r"<(?:a|img)\b[^>]*?\b(?:href|src)=\"([^\"]+)\"", re.IGNORECASE)
HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
LINE_ANCHOR = re.compile(r"^L\d+(-L\d+)?$")
# A path in a comment: anything ending in .md, or anything under docs/.
DOCS_PATH = re.compile(
    r"(?<![\w/.-])((?:\.{1,2}/)*(?:[\w.-]+/)*[\w.-]+\.md|docs/[\w./-]*[\w-])(#[\w-]+)?"
)


def prose_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code, with inline code blanked."""
    lines, fence = [], None
    for line in text.splitlines():
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            lines.append("")
            continue
        if opening:
            fence = opening.group(1)
            lines.append("")
            continue
        lines.append(line)
    # Blank code spans, keeping their line breaks so line numbers stay true.
    prose = INLINE_CODE.sub(lambda span: "\n" * span.group(0).count("\n"), "\n".join(lines))
    return prose.split("\n")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every fragment a Markdown text answers to: its headings' slugs (repeats get -1, -2…)."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fence = None
    for line in markdown.splitlines():
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        found.update(HTML_ANCHOR.findall(line))
        heading = ATX_HEADING.match(line)
        if not heading:
            continue
        slug = github_slug(heading.group(1))
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        else:
            seen[slug] = 0
        found.add(slug)
    return found


def links(markdown: str) -> list[tuple[int, str]]:
    """(line number, target) of every link and image in a Markdown text, outside code."""
    found = []
    for number, line in enumerate(prose_lines(markdown), start=1):
        for pattern in (INLINE_LINK, HTML_LINK):
            found.extend((number, match.group(1)) for match in pattern.finditer(line))
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            found.append((number, definition.group(1)))
    return [(number, target.strip("<>")) for number, target in found]


def problem_with(target: str, source: Path, root: Path) -> str | None:
    """Why a link target in ``source`` does not resolve, or None when it does (or is not relative)."""
    if SCHEME.match(target):
        return None
    path_part, _, fragment = target.partition("#")
    path_part = unquote(path_part)
    if not path_part:
        destination = source
    elif path_part.startswith("/"):
        destination = root / path_part.lstrip("/")
    else:
        destination = source.parent / path_part
    destination = Path(os.path.normpath(destination))
    if not destination.exists():
        shown = destination.relative_to(root) if destination.is_relative_to(root) else destination
        return f"{shown} does not exist"
    if not fragment:
        return None
    if destination.is_file() and destination.suffix.lower() == ".md":
        if unquote(fragment) not in anchors(destination.read_text(encoding="utf-8")):
            return f"{destination.name} has no heading #{fragment}"
        return None
    if destination.is_file() and LINE_ANCHOR.match(fragment):
        return None
    return f"#{fragment} cannot be checked on {destination.name}"


def broken_links(markdown_file: Path, root: Path = ROOT) -> list[str]:
    """Every relative link of a Markdown file that does not resolve, as 'file:line: target (why)'."""
    name = markdown_file.relative_to(root)
    broken = []
    for number, target in links(markdown_file.read_text(encoding="utf-8")):
        problem = problem_with(target, markdown_file, root)
        if problem:
            broken.append(f"{name}:{number}: {target} ({problem})")
    return broken


def broken_docs_paths(text_file: Path, root: Path = ROOT) -> list[str]:
    """Every docs path named in a non-Markdown file (paths from the repository root) that does not resolve."""
    name = text_file.relative_to(root)
    broken = []
    for number, line in enumerate(text_file.read_text(encoding="utf-8").splitlines(), start=1):
        for match in DOCS_PATH.finditer(line):
            target = match.group(0)
            problem = problem_with(target, root / "_", root)
            if problem:
                broken.append(f"{name}:{number}: {target} ({problem})")
    return broken


def markdown_files(root: Path = ROOT) -> list[Path]:
    """The repository's Markdown: what git tracks, and any new file in the usual places."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "*.md"],
            cwd=root,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = []
    found = {root / name for name in listed if name}
    found.update(root.glob("*.md"))
    found.update(root.glob("docs/**/*.md"))
    found.update(root.glob("reporting/data/*.md"))
    return sorted(path for path in found if path.is_file())


MARKDOWN_FILES = markdown_files()


# The checker itself: it must find what is broken.


def test_a_link_to_a_missing_file_is_reported(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "manual.md").write_text("# Manual\n\n## Backups and restore\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Project\n\n"
        "See [the manual](docs/manual.md), [backups](docs/manual.md#backups-and-restore),\n"
        "[the site](https://example.org/missing.md) and [top](#project).\n"
        "Broken: [old manual](docs/readme/production.md).\n"
    )

    assert broken_links(page, tmp_path) == [
        "README.md:5: docs/readme/production.md (docs/readme/production.md does not exist)"
    ]


def test_a_link_to_a_missing_heading_is_reported(tmp_path):
    (tmp_path / "manual.md").write_text("# Manual\n\n## Backups\n")
    page = tmp_path / "index.md"
    page.write_text("[restore](manual.md#restore) and [here](#nowhere)\n\n# Index\n")

    assert broken_links(page, tmp_path) == [
        "index.md:1: manual.md#restore (manual.md has no heading #restore)",
        "index.md:1: #nowhere (index.md has no heading #nowhere)",
    ]


def test_a_broken_image_and_reference_link_are_reported(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("![shot](../shot.png)\n\n[manual]: docs/gone.md\n")

    assert broken_links(page, tmp_path) == [
        f"page.md:1: ../shot.png ({tmp_path.parent / 'shot.png'} does not exist)",
        "page.md:3: docs/gone.md (docs/gone.md does not exist)",
    ]


def test_links_in_code_are_not_checked(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "```\n[x](missing.md)\n```\n\nRun `[x](missing.md)` as is, or `a\n[y](missing.md)`.\n"
        "Then [z](gone.md).\n"
    )

    assert broken_links(page, tmp_path) == ["page.md:7: gone.md (gone.md does not exist)"]


def test_a_docs_path_in_a_comment_is_checked(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "operations.md").write_text("# Operations\n\n## Containers\n")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "# Run: see docs/operations.md#containers\n"
        "# Old: see docs/readme/production.md.\n"
        "# Gone: docs/operations.md#kubernetes\n"
    )

    assert broken_docs_paths(dockerfile, tmp_path) == [
        "Dockerfile:2: docs/readme/production.md (docs/readme/production.md does not exist)",
        "Dockerfile:3: docs/operations.md#kubernetes (operations.md has no heading #kubernetes)",
    ]


def test_headings_are_slugged_as_github_does():
    markdown = "# The `backup` command\n## Rate limits (settings)\n## Notes\n## Notes\n"

    assert anchors(markdown) == {
        "the-backup-command",
        "rate-limits-settings",
        "notes",
        "notes-1",
    }


# The repository.


def test_the_usual_markdown_files_are_checked():
    names = {path.relative_to(ROOT).as_posix() for path in MARKDOWN_FILES}

    assert {"README.md", "BENCHMARKS.md", "reporting/data/README.md", "docs/operations.md"} <= names


@pytest.mark.parametrize(
    "markdown_file", MARKDOWN_FILES, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN_FILES]
)
def test_every_relative_link_resolves(markdown_file):
    assert broken_links(markdown_file) == []


@pytest.mark.parametrize("name", CONTAINER_FILES)
def test_every_docs_path_in_the_container_files_resolves(name):
    assert broken_docs_paths(ROOT / name) == []


def test_the_readme_links_every_manual():
    readme_targets = {
        target.partition("#")[0] for _, target in links((ROOT / "README.md").read_text())
    }
    manuals = {path.relative_to(ROOT).as_posix() for path in (ROOT / "docs").glob("*.md")}

    assert manuals and manuals <= readme_targets


def test_the_readme_is_a_five_minute_read():
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= README_MAX_CHARACTERS
