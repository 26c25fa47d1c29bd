"""Turn pydantic's validation errors into positioned messages written for a facilitator.

A pydantic error carries a `loc` path through the data, with extra components for union
branches (`round`, `function-before[...]`, `ScaledDuration`). We walk the loaded data and the
model types side by side: components present in the data move the position, the others pick
the union branch so we know which fields were valid at that place.
"""

from __future__ import annotations

import difflib
import re
import types
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from circlekeeper.script.model import (
    STEP_KINDS,
    Addressee,
    Bells,
    CircleSize,
    CueSpec,
    ExchangePart,
    ExchangeParts,
    GuardianSpec,
    IntervalBells,
    Practice,
    Role,
    ScaledDuration,
    Series,
    SoundDef,
    Source,
    StackSpec,
    StepBase,
    TimedCue,
    TurnSpec,
    VoiceSpec,
    When,
)
from circlekeeper.script.positions import PathKey, Pos, Positions

_TYPE_ERRORS = frozenset(
    {
        "string_type",
        "int_type",
        "float_type",
        "bool_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "is_instance_of",
        "none_required",
    }
)

_EMPTY_ERRORS = _TYPE_ERRORS | {"value_error", "literal_error", "string_pattern_mismatch"}

_PLACES: dict[type[BaseModel], str] = {
    Practice: "the practice",
    CueSpec: "a cue",
    TimedCue: "a timed bell",
    IntervalBells: "`interval`",
    Bells: "`bells`",
    TurnSpec: "`turn`",
    Role: "a role",
    SoundDef: "a sound",
    VoiceSpec: "a voice",
    Source: "a source",
    CircleSize: "`size`",
    GuardianSpec: "`guardian`",
    ScaledDuration: "a scaled duration",
    Series: "`series`",
    When: "`when`",
    Addressee: "`addressee`",
    StackSpec: "`stack`",
    ExchangePart: "a part of an exchange",
    ExchangeParts: "`parts`",
}


@dataclass
class _Walk:
    """The result of following one error's `loc` through data and types."""

    data_path: list[str | int] = field(default_factory=list)
    node: Any = None
    node_type: Any = None
    parent_model: type[BaseModel] | None = None
    key_error: bool = False
    boundary: int = 0
    unions: list[tuple[tuple[str | int, ...], str, Any]] = field(default_factory=list)
    missing_name: str | None = None


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _members(tp: Any) -> list[Any]:
    return [m for m in get_args(tp) if m is not type(None)]


def _model(tp: Any) -> type[BaseModel] | None:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return None


def _kind_of(model: type[BaseModel]) -> str | None:
    info = model.model_fields.get("kind")
    if info is None:
        return None
    args = get_args(info.annotation)
    return str(args[0]) if args else None


def _branch(members: list[Any], tag: str | int) -> Any:
    """The union member that pydantic's loc component `tag` names, if any."""
    if not isinstance(tag, str):
        return None
    for member in members:
        model = _model(member)
        if model is not None and (tag == model.__name__ or tag == _kind_of(model)):
            return member
    for member in members:
        origin = get_origin(_unwrap(member))
        if tag.startswith("dict") and origin is dict:
            return member
        if tag.startswith("list") and origin is list:
            return member
    for member in members:
        base = _unwrap(member)
        name = getattr(base, "__name__", "")
        if name and _origin_free(base) and re.search(rf"\b{name}\b", tag):
            return member
    return None


def _origin_free(tp: Any) -> bool:
    """A plain class such as `int` or `str` (not a generic alias)."""
    return get_origin(tp) is None and isinstance(tp, type)


def _field_type(model: type[BaseModel], name: str) -> tuple[str, Any] | None:
    for fname, info in model.model_fields.items():
        if name in (info.alias, fname):
            return fname, info.annotation
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _walk(loc: tuple[str | int, ...], data: Any) -> _Walk:
    walk = _Walk(node=data, node_type=Practice, parent_model=Practice)
    tp: Any = Practice
    node: Any = data
    for index, comp in enumerate(loc):
        tp = _unwrap(tp) if tp is not None else None
        # Resolve unions: optional ones silently, real ones by the branch tag in `loc`.
        while tp is not None and _is_union(tp):
            members = _members(tp)
            if len(members) == 1:
                tp = _unwrap(members[0])
                continue
            chosen = _branch(members, comp)
            if chosen is None:
                break
            chosen_model = _model(chosen)
            if chosen_model is None or _kind_of(chosen_model) is None:
                # Only plain unions: a step's `kind` picks exactly one branch already.
                walk.unions.append((tuple(walk.data_path), str(comp), tp))
            tp = _unwrap(chosen)
            comp = "\0branch"
            break
        if comp == "\0branch":
            walk.node_type = tp
            _mark_boundary(walk, tp)
            continue
        model = _model(tp) if tp is not None else None
        if comp == "[key]":
            walk.key_error = True
            if get_origin(tp) is dict:
                walk.node_type = get_args(tp)[0]
            continue
        if isinstance(node, dict) and isinstance(comp, str) and comp in node:
            node = node[comp]
            walk.data_path.append(comp)
            if model is not None:
                walk.parent_model = model
                found = _field_type(model, comp)
                tp = found[1] if found else None
            elif tp is not None and get_origin(tp) is dict:
                tp = get_args(tp)[1]
            else:
                tp = None
        elif isinstance(node, list) and isinstance(comp, int) and 0 <= comp < len(node):
            node = node[comp]
            walk.data_path.append(comp)
            tp = get_args(tp)[0] if tp is not None and get_origin(tp) is list else None
        else:
            # Not in the data: a missing field (the last component) or an unknown tag.
            if index == len(loc) - 1 and isinstance(comp, str):
                walk.missing_name = comp
                if model is not None:
                    walk.parent_model = model
            continue
        walk.node = node
        walk.node_type = tp
        _mark_boundary(walk, tp)
    return walk


def _mark_boundary(walk: _Walk, tp: Any) -> None:
    model = _model(tp) if tp is not None else None
    if model is not None and (issubclass(model, StepBase) or model is Practice):
        walk.boundary = len(walk.data_path)


def _label(walk: _Walk, path: list[str | int] | None = None) -> str:
    parts = (path if path is not None else walk.data_path)[walk.boundary :]
    return ".".join(p for p in parts if isinstance(p, str))


def _place(model: type[BaseModel] | None) -> str:
    if model is None:
        return "here"
    if issubclass(model, StepBase):
        return f"a {_kind_of(model) or 'step'} step"
    return _PLACES.get(model, f"`{model.__name__}`")


def show(value: Any) -> str:
    """A short rendering of a value as the author wrote it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def describe(tp: Any) -> str:
    """What a value of type `tp` looks like, in the words of the docs."""
    tp = _unwrap(tp)
    if _is_union(tp):
        members = _members(tp)
        names = {getattr(_unwrap(m), "__name__", "") for m in members}
        if "ScaledDuration" in names:
            return "a duration like 2m, or a mapping like `{per_person: 2m}`"
        if "str" in names and any(get_origin(_unwrap(m)) is dict for m in members):
            return "text (or a mapping of language code to text)"
        if any(_kind_of(_model(m) or BaseModel) for m in members):
            return "a step, a mapping with a `kind`"
        return " or ".join(describe(m) for m in members)
    model = _model(tp)
    if model is not None:
        if issubclass(model, CueSpec) and model is CueSpec:
            return "a cue like `bowl` or `bowl x3`, or a mapping with `sound`"
        return f"a mapping of fields ({', '.join(_field_names(model)[:4])}...)"
    origin = get_origin(tp)
    if origin is list:
        return "a list (one `- ` item per line)"
    if origin is dict:
        return "a mapping of `key: value` lines"
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in get_args(tp))
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is str:
        return "text"
    return "a different value"


def _literal_choices(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if _is_union(tp):
        out: list[str] = []
        for member in _members(tp):
            out.extend(_literal_choices(member))
        return out
    if get_origin(tp) is Literal:
        return [str(a) for a in get_args(tp)]
    return []


def did_you_mean(word: str, choices: list[str]) -> str:
    """`; did you mean `x`?` when one of `choices` is close to `word`, else ``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _pattern_message(pattern: str, value: Any) -> str:
    if pattern.startswith("^[a-z][a-z0-9_-]"):
        return (
            f"{show(value)} is not a valid name; use lowercase letters, digits, `-` and `_`, "
            "starting with a letter (at most 40)"
        )
    if pattern.startswith("^[a-z]{2,3}"):
        return f"{show(value)} is not a language code like en, de or pt-BR"
    if ".wav" in pattern:
        return (
            f"{show(value)} must be the name of a .wav file in the script's folder "
            "(no folders in the name)"
        )
    return f"{show(value)} does not have the expected form"


def _prefix(label: str, message: str) -> str:
    """A label and a message: `turn.time`: '2x' is not a duration."""
    return f"`{label}`: {message}" if label else message


def _says(label: str, predicate: str) -> str:
    """A label and its predicate: `speak` must be true or false."""
    return f"`{label}` {predicate}" if label else predicate


def _message(err: ErrorDetails, walk: _Walk) -> str:
    """One facilitator-facing sentence for a pydantic error."""
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    # A bad key is about the mapping that holds it: name the mapping, not the key.
    label = _label(walk, walk.data_path[:-1] if walk.key_error else None)
    tp = walk.node_type
    if kind == "extra_forbidden":
        name = str(walk.data_path[-1]) if walk.data_path else "?"
        model = walk.parent_model
        choices = _field_names(model) if model else []
        hint = did_you_mean(name, choices)
        if not hint and choices:
            hint = f" (fields here: {', '.join(choices)})"
        return f"unknown field `{name}` in {_place(model)}{hint}"
    if kind == "missing":
        name = walk.missing_name or "?"
        if walk.parent_model is Practice:
            return f"the practice needs `{name}`"
        return f"{_place(walk.parent_model)} needs `{name}`"
    if kind == "union_tag_invalid" and isinstance(value, dict) and value.get("kind") is None:
        kind = "union_tag_not_found"
    if kind == "model_attributes_type" and value is None and _is_step_union(tp):
        return "an empty step; a step is a mapping with a `kind`, like `- kind: read`"
    if value is None and walk.node is None and kind in _EMPTY_ERRORS and tp is not None:
        # `field:` with nothing after it: say so, rather than "not nothing".
        return _says(label, f"is empty; expected {describe(tp)}")
    if kind == "union_tag_not_found":
        return f"a step needs a `kind` (one of: {', '.join(STEP_KINDS)})"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        return (
            f"unknown step kind `{tag}`{did_you_mean(tag, list(STEP_KINDS))} "
            f"(one of: {', '.join(STEP_KINDS)})"
        )
    if kind == "model_attributes_type" and _is_step_union(tp):
        return f"a step must be a mapping with a `kind`, like `- kind: read`; not {show(value)}"
    if kind == "bool_type":
        return _says(label, f"must be true or false, not {show(value)}")
    if kind in ("string_type",):
        if value is None:
            return _says(label, "is empty; expected text")
        return _prefix(label, f"expected text, not {show(value)}")
    if kind == "int_type":
        return _says(label, f"must be a whole number, not {show(value)}")
    if kind == "float_type":
        return _says(label, f"must be a number, not {show(value)}")
    if kind == "list_type":
        return _prefix(label, f"expected a list (one `- ` item per line), not {show(value)}")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        what = describe(tp) if tp is not None else "a mapping of `key: value` lines"
        if value is None:
            return _says(label, f"is empty; expected {what}")
        return _prefix(label, f"expected {what}, not {show(value)}")
    if kind == "literal_error":
        choices = _literal_choices(tp) or [str(ctx.get("expected", ""))]
        if str(value) in choices:
            # `format: "1"`: the right value, written as text.
            return _prefix(label, f"write {value} without quotes")
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        return _prefix(label, f"{show(value)} is not one of: {', '.join(choices)}{hint}")
    if kind == "string_pattern_mismatch":
        return _prefix(label, _pattern_message(str(ctx.get("pattern", "")), value))
    if kind == "string_too_short":
        return _says(label, "must not be empty")
    if kind == "string_too_long":
        return _says(label, f"is too long (at most {ctx.get('max_length')} characters)")
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        noun = "item" if least == 1 else "items"
        return _says(label, f"needs at least {least} {noun}")
    if kind == "too_long":
        return _says(label, f"has too many items (at most {ctx.get('max_length')})")
    bounds = {
        "greater_than": ("more than", "gt"),
        "greater_than_equal": ("at least", "ge"),
        "less_than": ("less than", "lt"),
        "less_than_equal": ("at most", "le"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return _says(label, f"must be {words} {ctx.get(key)}, not {show(value)}")
    if kind == "finite_number":
        return _says(label, f"must be a finite number, not {show(value)}")
    if kind in ("value_error", "assertion_error"):
        text = str(err.get("msg", ""))
        for lead in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(lead)
        return _prefix(label, text)
    text = str(err.get("msg", "invalid value"))
    return _prefix(label, text[:1].lower() + text[1:])


def _is_step_union(tp: Any) -> bool:
    tp = _unwrap(tp)
    return _is_union(tp) and any(
        _model(m) is not None and issubclass(_model(m) or BaseModel, StepBase) for m in _members(tp)
    )


def _position(err: ErrorDetails, walk: _Walk, positions: Positions) -> Pos:
    path: PathKey = tuple(walk.data_path)
    if err["type"] == "extra_forbidden" or walk.key_error:
        return positions.key(path)
    if err["type"] == "union_tag_invalid" and positions.has((*path, "kind")):
        return positions.value((*path, "kind"))
    return positions.value(path)


def pydantic_errors(exc: ValidationError, data: Any, positions: Positions) -> list[tuple[Pos, str]]:
    """Positions and messages for every error in `exc`, union noise removed."""
    walked = [(err, _walk(tuple(err["loc"]), data)) for err in exc.errors(include_url=False)]
    kept = _collapse_unions(walked)
    out: list[tuple[Pos, str]] = []
    seen: set[tuple[Pos, str]] = set()
    for err, walk in kept:
        item = (_position(err, walk, positions), _message(err, walk))
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _collapse_unions(walked: list[tuple[ErrorDetails, _Walk]]) -> list[tuple[ErrorDetails, _Walk]]:
    """Of the branches of a failed union, keep the one the author evidently meant.

    A branch whose errors reach inside the value wins; else a branch that failed on the
    value rather than its type ('2x' is not a duration); else one "expected X" error.
    """
    groups: dict[tuple[Any, ...], list[tuple[ErrorDetails, _Walk]]] = {}
    order: list[tuple[Any, ...]] = []
    plain: list[tuple[int, tuple[ErrorDetails, _Walk]]] = []
    for position, item in enumerate(walked):
        walk = item[1]
        if not walk.unions:
            plain.append((position, item))
            continue
        at, _tag, union_tp = walk.unions[0]
        key = (at, id(union_tp))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(item)
    result = [item for _, item in plain]
    for key in order:
        items = groups[key]
        at = key[0]
        by_branch: dict[str, list[tuple[ErrorDetails, _Walk]]] = {}
        for item in items:
            by_branch.setdefault(item[1].unions[0][1], []).append(item)
        deep = [
            b
            for b, errs in by_branch.items()
            if any(len(w.data_path) > len(at) or w.key_error for _, w in errs)
        ]
        if all(e.get("input") is None for e, _ in items):
            chosen = []  # an empty value: one "is empty; expected ..." message below
        elif deep:
            chosen = deep
        else:
            chosen = [
                b
                for b, errs in by_branch.items()
                if any(e["type"] not in _TYPE_ERRORS for e, _ in errs)
            ]
        if chosen:
            for branch in chosen:
                result.extend(by_branch[branch])
            continue
        err, walk = items[0]
        union_tp = walk.unions[0][2]
        synth_walk = _Walk(
            data_path=list(at),
            node=err.get("input"),
            node_type=union_tp,
            parent_model=walk.parent_model,
            boundary=min(walk.boundary, len(at)),
        )
        synth: ErrorDetails = {
            "type": "dict_type",
            "loc": err["loc"],
            "msg": "",
            "input": err.get("input"),
        }
        result.append((synth, synth_walk))
    return result
