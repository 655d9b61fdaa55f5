"""Reading scenario YAML with positions, and merging files along their ``extends:`` chain.

YAML is read with safe-loader semantics into mappings and lists that remember the file, line and
column of every value, so that a validation error can point at it. Tags other than the plain scalar
types, anchors and aliases, merge keys, duplicate keys and dates are refused: scenario files never
need them, and refusing them closes the doors to code execution and alias bombs. libyaml (PyYAML's C
parser) reads a file; one it finds anything to refuse in is read again by PyYAML's pure-Python parser,
whose messages and positions the problems then carry.

Merge rule (``extends:`` and the embedded defaults alike): mappings merge recursively; lists whose
items are all mappings with an ``id`` merge by ``id`` (parent order, then new items in the child's
order); every other value in the child replaces the parent's. One exception: an entry of
``uncertainties:`` replaces the parent's entry for the same path whole (a declared distribution
means what it says; it never inherits the bounds or the reasoning of the one it replaces).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from ..files import Unreadable, check_input, read_input
from .figures import show

__all__ = ["MAX_FILE_BYTES", "Mark", "display", "merge", "read_yaml", "resolve_chain"]

MAX_FILE_BYTES = 5_000_000
"""Scenario files are hand-written; anything larger is refused before parsing."""


Mark = tuple[str, int, int]
"""(file, line, column), 1-based."""


class _Map(dict):
    """A mapping read from YAML that remembers where each value stood."""

    __slots__ = ("marks", "start")

    def __init__(self, start: Mark):
        super().__init__()
        self.start = start
        self.marks: dict[str, Mark] = {}


class _Seq(list):
    """A sequence read from YAML that remembers where each item stood."""

    __slots__ = ("marks", "start")

    def __init__(self, start: Mark):
        super().__init__()
        self.start = start
        self.marks: list[Mark] = []


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, message: str, fix: str):
        super().__init__(message)
        self.mark, self.message, self.fix = mark, message, fix


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing aliases where they stand, before anything is composed from them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _Refused(
                self.peek_event().start_mark,
                "YAML aliases (*name) are not supported",
                "write the value out, or use `extends:`",
            )
        return super().compose_node(parent, index)


def display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


class _Builder:
    """Turns a composed YAML node tree into _Map/_Seq/scalars, refusing what scenarios never need."""

    def __init__(self, loader: yaml.BaseLoader, file: str, problems: list[Problem]):
        self.loader, self.file, self.problems = loader, file, problems
        self.built: set[int] = set()  # libyaml composes an alias as its anchor's node, once more

    def mark(self, node: yaml.Node) -> Mark:
        return (self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self.built:
            raise _Refused(node.start_mark, "YAML aliases (*name) are not supported", "write the value out")
        self.built.add(id(node))
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise _Refused(node.start_mark, f"YAML tag {node.tag!r} is not allowed", "remove the tag")
            out = _Map(self.mark(node))
            for key_node, value_node in node.value:
                key = self.build(key_node)
                if not isinstance(key, str):
                    raise _Refused(
                        key_node.start_mark, f"keys must be text, got {show(key)}", "write the key as a name"
                    )
                if key == "<<":
                    raise _Refused(
                        key_node.start_mark, "YAML merge keys (<<) are not supported", "use `extends:`"
                    )
                if key in out:
                    line, col = self.mark(key_node)[1:]
                    self.problems.append(
                        Problem(self.file, line, col, key, "this key is given twice", "keep one of them")
                    )
                out[key] = self.build(value_node)
                out.marks[key] = self.mark(value_node)
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise _Refused(node.start_mark, f"YAML tag {node.tag!r} is not allowed", "remove the tag")
            out = _Seq(self.mark(node))
            for item in node.value:
                out.append(self.build(item))
                out.marks.append(self.mark(item))
            return out
        if node.tag == "tag:yaml.org,2002:timestamp":
            # a date (a contract's end, an asset's depreciation end) stays text; the schema reads
            # ISO dates where it wants one and refuses them elsewhere
            return node.value
        if node.tag not in _SCALAR_TAGS:
            raise _Refused(node.start_mark, f"YAML tag {node.tag!r} is not allowed", "remove the tag")
        return self.loader.construct_object(node)


_FAILED = object()


def _through_libyaml(text: str, file: str) -> tuple[Any, list[Problem]] | None:
    """The document through libyaml's parser (nine times as fast as PyYAML's), or None where it has
    something to refuse: the pure-Python parser then says what and where, in its own words."""
    if not yaml.__with_libyaml__:
        return None
    loader = yaml.CSafeLoader(text)
    found: list[Problem] = []
    try:
        node = loader.get_single_node()
        return None if node is None else (_Builder(loader, file, found).build(node), found)
    except (_Refused, yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def _through_python(loader: _Loader, text: str, file: str, problems: list[Problem]) -> Any:
    """The document through PyYAML's own parser, which says where and why a file is wrong."""
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem(file, 0, 0, "", "the file is empty", "start from `verkenning new`"))
            return _FAILED
        data = _Builder(loader, file, problems).build(node)
    except _Refused as exc:
        mark = exc.mark
        problems.append(Problem(file, mark.line + 1, mark.column + 1, "", exc.message, exc.fix))
        return _FAILED
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "malformed YAML"
        problems.append(
            Problem(
                file,
                line,
                col,
                "",
                f"malformed YAML: {what}",
                "check indentation, colons and quotes near here",
            )
        )
        return _FAILED
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        problems.append(
            Problem(
                file,
                line,
                1,
                "",
                f"character U+{exc.character:04X} is not allowed in YAML",
                "remove it (check the encoding)",
            )
        )
        return _FAILED
    except (yaml.YAMLError, RecursionError) as exc:
        problems.append(
            Problem(
                file,
                0,
                0,
                "",
                f"malformed YAML: {exc.__class__.__name__}",
                "check the file's structure",
            )
        )
        return _FAILED
    finally:
        loader.dispose()
    return data


def read_yaml(path: Path, problems: list[Problem], reads: dict | None = None) -> _Map | None:
    """Read one YAML file into a position-aware mapping; append problems and return None on failure.

    ``reads`` collects, per resolved path, the mapping as read and the SHA-256 of the bytes read,
    so that a scenario's provenance and status quo come from the one read of each file.
    """
    file = display(path)
    try:
        raw = read_input(path, MAX_FILE_BYTES)
    except Unreadable as error:
        problems.append(Problem(file, 0, 0, "", error.reason, error.fix))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(file, line, 1, "", f"not valid UTF-8 (byte {exc.start})", "save the file as UTF-8")
        )
        return None
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before parsing
        line = text[: exc.position].count("\n") + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        problems.append(
            Problem(
                file,
                line,
                column,
                "",
                f"character U+{exc.character:04X} is not allowed in YAML",
                "remove it (files written by hand rarely contain it; check the encoding)",
            )
        )
        return None
    fast = _through_libyaml(text, file)
    if fast is None:
        data = _through_python(loader, text, file, problems)
        if data is _FAILED:
            return None
    else:
        loader.dispose()
        data, found = fast
        problems.extend(found)
    if not isinstance(data, _Map):
        problems.append(
            Problem(
                file,
                1,
                1,
                "",
                "a scenario must be a mapping of keys to values",
                "start from `verkenning new` or a file in scenarios/",
            )
        )
        return None
    if reads is not None:
        reads[path.resolve()] = (data, hashlib.sha256(raw).hexdigest())
    return data


# ---------------------------------------------------------------------------------------------
# Merging


def _mergeable_by_id(items: list) -> bool:
    return all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in items)


WHOLE = "uncertainties"
"""The section whose entries replace each other whole (see the module docstring)."""


def merge(parent: Any, child: Any, whole: bool = False) -> Any:
    """Merge ``child`` over ``parent`` by the rule in the module docstring; inputs are not changed.

    ``whole``: the values of this mapping replace the parent's instead of merging into them.
    """
    if isinstance(parent, dict) and isinstance(child, dict):
        out = _Map(getattr(child, "start", ("", 0, 0)))
        for key, value in parent.items():
            out[key] = value
            if key in getattr(parent, "marks", {}):
                out.marks[key] = parent.marks[key]
        for key, value in child.items():
            out[key] = merge(parent[key], value, key == WHOLE) if key in parent and not whole else value
            if key in getattr(child, "marks", {}):
                out.marks[key] = child.marks[key]
        return out
    if (
        isinstance(parent, list)
        and isinstance(child, list)
        and child
        and _mergeable_by_id(parent)
        and _mergeable_by_id(child)
    ):
        out = _Seq(getattr(child, "start", ("", 0, 0)))
        items = list(parent)
        marks = list(getattr(parent, "marks", [("", 0, 0)] * len(parent)))
        first = {}
        for i, item in enumerate(parent):
            first.setdefault(item["id"], i)
        merged: set[str] = set()
        extra, extra_marks = [], []
        for item, mark in zip(child, getattr(child, "marks", [("", 0, 0)] * len(child)), strict=False):
            position = first.get(item["id"])
            if position is not None and item["id"] not in merged:
                items[position] = merge(parent[position], item)
                marks[position] = mark
                merged.add(item["id"])
            else:  # new, or given twice in the child: kept, so that validation can say so
                extra.append(item)
                extra_marks.append(mark)
        out.extend(items + extra)
        out.marks = marks + extra_marks
        return out
    return child


def _resolved(path: Path) -> Path:
    """The absolute path, resolved where it can be (a loop of links stays as written)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return Path(os.path.abspath(path))


def resolve_chain(
    path: Path, problems: list[Problem], stack: tuple[Path, ...], reads: dict | None = None
) -> tuple[_Map | None, list[Path]]:
    """Read ``path`` and the files it extends, merged; also the files, the scenario's own first.

    ``reads`` collects each file's mapping and digest as read (see :func:`read_yaml`).
    """
    data = read_yaml(path, problems, reads)
    if data is None:
        return None, [_resolved(path)]
    files = [path.resolve()]
    if "extends" not in data:
        return data, files
    target = data.pop("extends")
    file, line, col = data.marks.pop("extends")
    if not isinstance(target, str) or not target.strip():
        problems.append(
            Problem(
                file,
                line,
                col,
                "extends",
                "must be a path to a scenario file",
                "write e.g. `extends: basis.yaml` (relative to this file)",
            )
        )
        return None, files
    parent_path = _resolved(path.parent / target)
    if parent_path in stack or parent_path == path.resolve():
        chain = " → ".join(display(p) for p in (*stack, path.resolve(), parent_path))
        problems.append(
            Problem(
                file,
                line,
                col,
                "extends",
                f"extends cycle: {chain}",
                "make one file the base that extends nothing",
            )
        )
        return None, files
    try:
        check_input(parent_path)
    except Unreadable as error:
        problems.append(
            Problem(
                file,
                line,
                col,
                "extends",
                f"{error.reason}: {target}",
                f"give the path of a scenario file relative to {display(path.parent) or '.'}",
            )
        )
        return None, files
    parent, parent_files = resolve_chain(parent_path, problems, (*stack, path.resolve()), reads)
    if parent is None:
        return None, files + parent_files
    return merge(parent, data), files + parent_files
