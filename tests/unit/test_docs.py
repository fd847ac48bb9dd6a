"""The docs stay true: the architecture's map of modules names every module of the package."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODULE = re.compile(r"\b[\w]+\.py\b")


def mapped_paths(text: str) -> set[str]:
    """The paths the map's tree names. A line names one or more files or folders (a name ends in
    ".py" or "/"), and two spaces or more start its description; the modules a folder's
    description names (``public.py``...), on its line and the lines carrying it on, are in it."""
    block = text.split("```", 2)[1]
    paths: set[str] = set()
    stack: list[str] = []
    described = ""  # the folder whose description is being read
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
        names = parts[0].split()
        description = parts[1] if len(parts) > 1 else ""
        if not all(name.endswith((".py", "/")) for name in names):
            paths.update(described + module for module in MODULE.findall(line))
            continue
        stack = stack[:depth]
        paths.update("".join(stack) + name for name in names)
        folder = len(names) == 1 and names[0].endswith("/")
        described = "".join(stack) + names[0] if folder else ""
        paths.update(described + module for module in MODULE.findall(description) if folder)
        if folder:
            stack.append(names[0])
    return paths


def test_the_map_of_modules_names_every_module_and_no_other():
    mapped = {path for path in mapped_paths((ROOT / "docs" / "architecture.md").read_text())}
    modules = {
        "tmo/" + path.relative_to(ROOT / "tmo").as_posix()
        for path in (ROOT / "tmo").rglob("*.py")
        if "versions" not in path.parts
    }
    assert sorted(modules - mapped) == []
    named = {path for path in mapped if path.startswith("tmo/") and path.endswith(".py")}
    assert sorted(named - modules) == []
