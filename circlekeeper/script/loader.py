"""Load a practice script from YAML, keeping the line and column of every node.

Loading goes in stages, each able to stop with clear `path:line:col` errors:
bytes (size, NUL, UTF-8) → YAML events (tags, anchors, directives, nesting) →
round-trip tree (syntax, duplicate keys) → plain Python data with positions →
pydantic models → semantic checks.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
)
from ruamel.yaml.reader import ReaderError

from circlekeeper.script.errors import ScriptError, ScriptErrors
from circlekeeper.script.limits import MAX_BYTES, MAX_DEPTH, MAX_NODES, size_text
from circlekeeper.script.messages import pydantic_errors
from circlekeeper.script.model import Practice
from circlekeeper.script.positions import PathKey, Pos, Positions
from circlekeeper.script.validate import semantic_errors


@dataclass(frozen=True)
class LoadedPractice:
    """A validated practice with the position of every node, for later warnings."""

    practice: Practice
    positions: Positions
    label: str
    base_dir: Path | None


class _Stop(Exception):
    """Internal: loading cannot go on; carries the errors found so far."""

    def __init__(self, errors: list[ScriptError]) -> None:
        super().__init__("stop")
        self.errors = errors


def _stop_at(label: str, line: int, col: int, message: str) -> _Stop:
    """Loading stops on one error at `line`:`col`."""
    return _Stop([ScriptError(label, line, col, message)])


_NUL_MESSAGE = "a NUL byte: this looks like a binary file, not a practice script"


class _Source:
    """The decoded text of a script and helpers to turn offsets into positions."""

    def __init__(self, text: str, label: str) -> None:
        self.text = text
        self.label = label
        lines = text.split("\n")
        if text.endswith("\n"):
            lines = lines[:-1]
        self.lines = [line.rstrip("\r") for line in lines] or [""]

    def pos(self, line0: int, col0: int) -> Pos:
        """Clamp a 0-based mark into the file: errors always name a real line and column."""
        if line0 < 0:
            return (1, 1)
        if line0 >= len(self.lines):
            last = len(self.lines)
            return (last, len(self.lines[-1]) + 1)
        text = self.lines[line0]
        return (line0 + 1, min(max(col0, 0), len(text)) + 1)

    def error(self, line0: int, col0: int, message: str) -> ScriptError:
        line, col = self.pos(line0, col0)
        return ScriptError(self.label, line, col, message)

    def error_at(self, pos: Pos, message: str) -> ScriptError:
        return self.error(pos[0] - 1, pos[1] - 1, message)


def _byte_position(text: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of the byte at `offset`."""
    line = text.count(b"\n", 0, offset) + 1
    start = text.rfind(b"\n", 0, offset) + 1
    return line, len(text[start:offset].decode("utf-8", errors="replace")) + 1


def load_practice(path: Path) -> Practice:
    """Load and check the script at `path`; raise `ScriptErrors` on any problem."""
    return load_practice_with_positions(path).practice


def load_practice_with_positions(path: Path) -> LoadedPractice:
    """Like `load_practice`, also returning where each node is in the file."""
    return load_text_with_positions(read_script(path), str(path), path.parent)


@dataclass(frozen=True)
class YamlData:
    """Plain data read from a YAML file under the script's safety rules, with the position
    of every node, for a file that is not a practice (a rehearsal's actions)."""

    data: Any
    positions: Positions
    label: str

    def error(self, pos: Pos, message: str) -> ScriptError:
        """An error at `pos` of this file."""
        return ScriptError(self.label, pos[0], pos[1], message)


def load_yaml_file(path: Path, *, empty: str) -> YamlData:
    """Read any YAML file as a script is read: the same size limits, the same refusal of
    tags, anchors, aliases and duplicate keys, the same `path:line:col` errors (raised as
    `ScriptErrors`); `empty` says what an empty file lacks."""
    label = str(path)
    _, data, positions = _guarded(label, lambda: _plain(read_script(path), label, empty))
    return YamlData(data, positions, label)


T = TypeVar("T")


def _guarded(label: str, load: Callable[[], T]) -> T:
    """`load()`, its stops and a nesting too deep for Python turned into `ScriptErrors`."""
    try:
        return load()
    except _Stop as stop:
        raise ScriptErrors(stop.errors) from None
    except RecursionError:
        raise ScriptErrors(
            [ScriptError(label, 1, 1, "the file is nested too deeply to read")]
        ) from None


def _plain(text: str | bytes, label: str, empty: str) -> tuple[_Source, Any, Positions]:
    """The text decoded, parsed and turned into plain data with positions (or `_Stop`)."""
    source = _decode(text, label, empty)
    tree = _parse(source)
    data, positions, errors = _to_plain(tree, source, empty)
    if errors:
        raise _Stop(errors)
    return source, data, positions


def read_script(path: Path) -> bytes:
    """The bytes of the file at `path`, refusing what is not a small regular file."""
    label = str(path)
    try:
        if not path.exists():
            raise ScriptErrors([ScriptError(label, 1, 1, "no such file")])
        if path.is_dir():
            raise ScriptErrors([ScriptError(label, 1, 1, "is a folder, not a file")])
        if not path.is_file():
            # A pipe or a device would block the read or never end.
            raise ScriptErrors([ScriptError(label, 1, 1, "not a regular file")])
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScriptErrors([ScriptError(label, 1, 1, _too_big(size))])
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScriptErrors([ScriptError(label, 1, 1, f"cannot read the file: {reason}")]) from None


def load_text(text: str | bytes, label: str, base_dir: Path | None = None) -> Practice:
    """Load a script from text; `label` names it in errors, `base_dir` holds its sounds."""
    return load_text_with_positions(text, label, base_dir).practice


def load_text_with_positions(
    text: str | bytes, label: str, base_dir: Path | None = None
) -> LoadedPractice:
    """Like `load_text`, also returning where each node is in the file."""
    return _guarded(label, lambda: _validated(text, label, base_dir))


def _validated(text: str | bytes, label: str, base_dir: Path | None) -> LoadedPractice:
    source, data, positions = _plain(text, label, _EMPTY_SCRIPT)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise _Stop(
            [
                source.error_at(
                    positions.value(()),
                    f"the script must be a mapping of fields like `title:` and `steps:`, "
                    f"not {kind}",
                )
            ]
        )
    try:
        practice = Practice.model_validate(data)
    except ValidationError as exc:
        found = pydantic_errors(exc, data, positions)
        raise _Stop([source.error_at(pos, message) for pos, message in found]) from None
    problems = semantic_errors(practice, positions, base_dir)
    if problems:
        raise _Stop([source.error_at(pos, message) for pos, message in problems])
    return LoadedPractice(practice, positions, label, base_dir)


def _too_big(size: int) -> str:
    shown = f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"
    return f"the file is {shown}; a practice script may be at most {size_text()}"


_EMPTY_SCRIPT = "a script needs a `title`, a `kind` and `steps`"


def _decode(text: str | bytes, label: str, empty: str) -> _Source:
    """Refuse oversized, binary and non-UTF-8 input before any YAML parsing."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise _Stop([ScriptError(label, 1, 1, _too_big(len(text)))])
        nul = text.find(b"\x00")
        limit = nul if nul >= 0 else len(text)
        try:
            decoded = text[:limit].decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = exc.start
            line, col = _byte_position(text, bad)
            message = f"not UTF-8 text (byte 0x{text[bad]:02x}); save the script as UTF-8"
            raise _stop_at(label, line, col, message) from None
        if nul >= 0:
            raise _stop_at(label, *_byte_position(text, nul), _NUL_MESSAGE)
        text = decoded
    else:
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > MAX_BYTES:
            raise _Stop([ScriptError(label, 1, 1, _too_big(size))])
        nul = text.find("\x00")
        if nul >= 0:
            line = text.count("\n", 0, nul) + 1
            col = nul - (text.rfind("\n", 0, nul) + 1) + 1
            raise _stop_at(label, line, col, _NUL_MESSAGE)
    text = text.removeprefix("\ufeff")
    source = _Source(text, label)
    if not _has_content(text):
        raise _Stop([ScriptError(label, 1, 1, f"the file is empty; {empty}")])
    return source


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return True
    return False


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    yaml.allow_duplicate_keys = False
    return yaml


def _parse(source: _Source) -> Any:
    """Check the event stream, then build the round-trip tree."""
    _check_events(source)
    try:
        return _yaml().load(source.text)
    except DuplicateKeyError as exc:
        raise _Stop([_duplicate_key(source, exc)]) from None
    except (MarkedYAMLError, ReaderError, YAMLError) as exc:
        raise _Stop([_yaml_error(source, exc)]) from None
    except (IndexError, ValueError, TypeError, KeyError) as exc:
        # The parser itself failing on a value: ruamel's int constructor indexes past the
        # end of `+_`, `0x_` and the like. An error at the value, never a traceback.
        raise _Stop([_unreadable_value(source, exc)]) from None


def _unreadable_value(source: _Source, exc: Exception) -> ScriptError:
    """Point at the node the parser was building when it failed (its innermost `node`)."""
    node: Any = None
    frame = exc.__traceback__
    while frame is not None:
        candidate = frame.tb_frame.f_locals.get("node")
        if getattr(candidate, "start_mark", None) is not None:
            node = candidate
        frame = frame.tb_next
    if node is None:
        return source.error(0, 0, "not valid YAML: the parser could not read a value")
    value = node.value if isinstance(node.value, str) else ""
    mark = node.start_mark
    return source.error(
        mark.line, mark.column, f"`{value}` cannot be read as a value; put text in quotes"
    )


def _check_events(source: _Source) -> None:
    """Reject tags, anchors, aliases, directives, several documents, deep nesting, too many
    values and duplicate keys.

    This runs on parser events, before any object is constructed, so a tag such as
    `!!python/object/apply` is refused without ever being resolved, and an alias bomb
    is refused at its first alias, long before any expansion.
    """

    def stop(mark: Any, message: str) -> _Stop:
        return _Stop([source.error(mark.line, mark.column, message)])

    # One frame per open collection: [is_mapping, expecting_key, {key: first line}].
    frames: list[tuple[bool, list[bool], dict[str, int]]] = []
    documents = 0
    nodes = 0
    last_scalar: ScalarEvent | None = None

    def node_done() -> None:
        if frames and frames[-1][0]:
            frames[-1][1][0] = not frames[-1][1][0]

    try:
        for event in _yaml().parse(source.text):
            mark = event.start_mark
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise stop(mark, "a second YAML document (`---`); a script is one document")
                if (event.version is not None and event.explicit) or event.tags:
                    # `%YAML 1.1` would turn `off` and `no` back into booleans.
                    raise _Stop(
                        [source.error(0, 0, "YAML directives (`%YAML`, `%TAG`) are not allowed")]
                    )
            if isinstance(event, AliasEvent):
                raise stop(
                    mark,
                    f"aliases (`*{event.anchor}`) are not allowed in a practice script; "
                    "write the value out",
                )
            if not isinstance(event, NodeEvent):
                if isinstance(event, CollectionEndEvent) and frames:
                    frames.pop()
                    node_done()
                continue
            nodes += 1
            if nodes > MAX_NODES:
                # Counted here, before anything is built: reading costs time per value.
                raise stop(
                    mark,
                    f"more than {MAX_NODES:,} values (keys, texts, lists); a practice "
                    "script holds far fewer",
                )
            if event.anchor is not None:
                raise stop(
                    mark,
                    f"anchors (`&{event.anchor}`) are not allowed in a practice script; "
                    "write the value out",
                )
            tag = getattr(event, "tag", None)
            if tag is not None and str(tag) not in ("", "None"):
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                raise stop(
                    mark,
                    f"tags are not allowed in a practice script (found `{shown}`); "
                    "a script is plain data",
                )
            is_key = bool(frames) and frames[-1][0] and frames[-1][1][0]
            if isinstance(event, ScalarEvent):
                last_scalar = event
                if is_key:
                    seen = frames[-1][2]
                    if event.value in seen:
                        raise stop(
                            mark,
                            f"duplicate key `{event.value}` (first on line "
                            f"{seen[event.value]}); each key may appear once",
                        )
                    seen[event.value] = source.pos(mark.line, mark.column)[0]
                node_done()
            elif isinstance(event, MappingStartEvent | SequenceStartEvent):
                if len(frames) >= MAX_DEPTH:
                    raise stop(mark, f"nested more than {MAX_DEPTH} levels deep")
                frames.append((isinstance(event, MappingStartEvent), [True], {}))
    except (MarkedYAMLError, ReaderError, YAMLError) as exc:
        raise _Stop([_quote_hint(source, exc, last_scalar) or _yaml_error(source, exc)]) from None


def _quote_hint(source: _Source, exc: YAMLError, last: ScalarEvent | None) -> ScriptError | None:
    """A quote left open swallows lines up to the next quote, and YAML fails just after.

    When the error comes right at the end of a quoted text spanning several lines, the
    open quote is the likely cause: point at it.
    """
    mark = getattr(exc, "problem_mark", None)
    if last is None or mark is None or last.style not in ("'", '"'):
        return None
    start, end = last.start_mark, last.end_mark
    if start.line == end.line or mark.line != end.line:
        return None
    return source.error(
        start.line,
        start.column,
        f"unterminated quote? the quoted text that starts here runs on to line {end.line + 1}",
    )


def _duplicate_key(source: _Source, exc: DuplicateKeyError) -> ScriptError:
    second = exc.problem_mark
    first = exc.context_mark
    key = _key_at(source, second.line, second.column) if second is not None else "?"
    first_line = _first_key_line(source, key, first.line if first else 0, second.line)
    where = f" (first on line {first_line})" if first_line else ""
    line0, col0 = (second.line, second.column) if second is not None else (0, 0)
    return source.error(line0, col0, f"duplicate key `{key}`{where}; each key may appear once")


def _key_at(source: _Source, line0: int, col0: int) -> str:
    if 0 <= line0 < len(source.lines):
        rest = source.lines[line0][col0:]
        key = rest.split(":", 1)[0].strip().strip("'\"")
        if key:
            return key
    return "?"


def _first_key_line(source: _Source, key: str, start0: int, stop0: int) -> int | None:
    """The line of the first `key:` in the mapping that starts at `start0`."""
    indent: int | None = None
    if 0 <= stop0 < len(source.lines):
        line = source.lines[stop0]
        indent = len(line) - len(line.lstrip(" -"))
    for index in range(max(start0, 0), min(stop0, len(source.lines))):
        line = source.lines[index]
        body = line.lstrip(" -")
        if (
            (indent is None or len(line) - len(body) == indent)
            and body.split(":", 1)[0].strip().strip("'\"") == key
            and ":" in body
        ):
            return index + 1
    return None


def _yaml_error(source: _Source, exc: YAMLError) -> ScriptError:
    """Turn a ruamel error into one line a facilitator can act on."""
    if isinstance(exc, ReaderError):
        before = source.text[: exc.position]
        line0 = before.count("\n")
        col0 = exc.position - (before.rfind("\n") + 1)
        char = exc.character
        code = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        return source.error(line0, col0, f"a control character ({code}) that YAML does not allow")
    if not isinstance(exc, MarkedYAMLError):
        return source.error(0, 0, f"not valid YAML: {exc}")
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    mark = exc.problem_mark or exc.context_mark
    line0, col0 = (mark.line, mark.column) if mark is not None else (0, 0)
    if "'\\t'" in problem or "\t" in problem:
        return source.error(line0, col0, "tab used for indentation; indent with spaces")
    if "quoted scalar" in context and exc.context_mark is not None:
        cm = exc.context_mark
        if "end of stream" in problem or "document separator" in problem:
            return source.error(
                cm.line, cm.column, "unterminated quote: the quote opened here is never closed"
            )
        return source.error(
            line0, col0, f"inside the quoted text that starts on line {cm.line + 1}: {problem}"
        )
    if "mapping values are not allowed" in problem:
        return source.error(
            line0,
            col0,
            'unexpected `:`; put text that contains `: ` in quotes, like "Note: this"',
        )
    if "block end" in problem or "block mapping" in context or "block collection" in context:
        return source.error(line0, col0, "this line's indentation does not fit the lines above it")
    if "could not find expected ':'" in problem:
        return source.error(line0, col0, "expected `key: value` here")
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        start = exc.context_mark
        if start is not None:
            return source.error(
                start.line, start.column, f"this `{opening}` is never closed with `{closing}`"
            )
    detail = f"{problem} ({context})" if context else problem
    return source.error(line0, col0, f"not valid YAML: {detail or exc}")


def _to_plain(tree: Any, source: _Source, empty: str) -> tuple[Any, Positions, list[ScriptError]]:
    """Convert ruamel nodes to plain Python values and record where each one is."""
    positions = Positions()
    errors: list[ScriptError] = []
    if tree is None:
        raise _Stop([source.error(0, 0, f"the file is empty; {empty}")])
    root_pos = _node_pos(tree, source) or (1, 1)
    positions.values[()] = root_pos

    def convert(node: Any, path: PathKey) -> Any:
        if isinstance(node, CommentedMap):
            out: dict[str, Any] = {}
            for key in node:
                kpos = _lc(node, "key", key, source)
                vpos = _lc(node, "value", key, source)
                name = _key_name(key)
                if name is None:
                    errors.append(
                        source.error_at(kpos or positions.value(path), "a key must be a plain word")
                    )
                    continue
                child_path = (*path, name)
                if kpos is not None:
                    positions.keys[child_path] = kpos
                value = node[key]
                if _is_scalar(value) or value is None:
                    # An empty value has no node of its own; point at its key.
                    if value is None or vpos is None:
                        vpos = kpos
                else:
                    vpos = _node_pos(value, source) or vpos or kpos
                if vpos is not None:
                    positions.values[child_path] = vpos
                out[name] = convert(value, child_path)
            return out
        if isinstance(node, CommentedSeq):
            items: list[Any] = []
            for index, value in enumerate(node):
                child_path = (*path, index)
                ipos = _lc(node, "item", index, source)
                if not _is_scalar(value) and value is not None:
                    ipos = _node_pos(value, source) or ipos
                if ipos is not None:
                    positions.values[child_path] = ipos
                items.append(convert(value, child_path))
            return items
        return _scalar(node)

    data = convert(tree, ())
    return data, positions, errors


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, CommentedMap | CommentedSeq)


def _key_name(key: Any) -> str | None:
    if isinstance(key, str):
        return str(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return str(key)
    if isinstance(key, _dt.date):
        return key.isoformat()
    return None


def _scalar(value: Any) -> Any:
    """ruamel's scalar subclasses to plain types; bool is tested before int."""
    if value is None:
        return None
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        if type(value).__name__ == "ScalarBoolean":
            return bool(value)
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.datetime | _dt.date):
        # YAML 1.2 timestamps: keep them as the text the author wrote.
        return value.isoformat()
    return str(value)


def _lc(node: Any, which: str, key: Any, source: _Source) -> Pos | None:
    try:
        got = getattr(node.lc, which)(key)
    except (KeyError, IndexError, AttributeError, TypeError):
        return None
    if got is None:
        return None
    line0, col0 = got
    return source.pos(int(line0), int(col0))


def _node_pos(node: Any, source: _Source) -> Pos | None:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return None
    return source.pos(int(lc.line), int(lc.col))
