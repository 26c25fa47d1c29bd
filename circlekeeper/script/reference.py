"""Markdown field tables for the format reference, generated from the models' docstrings.

`docs/script-format.md` holds a copy between two markers; a test keeps it current.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from circlekeeper.script import model as m
from circlekeeper.script.duration import format_duration

BEGIN = "<!-- field-reference:begin (generated: circlekeeper.script.reference) -->"
END = "<!-- field-reference:end -->"

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("Practice (the top level)", m.Practice),
    ("Role (an item of `roles`)", m.Role),
    ("Sound (a value under `sounds`)", m.SoundDef),
    ("Voice (a value under `voices`)", m.VoiceSpec),
    ("Size (`size`)", m.CircleSize),
    ("Guardian (`guardian`)", m.GuardianSpec),
    ("Source (an item of `sources`)", m.Source),
    ("Series (`series`)", m.Series),
    ("When (`when` of a step)", m.When),
    ("Fields every step has", m.StepBase),
    ("`read` step", m.ReadStep),
    ("`silence` step", m.SilenceStep),
    ("`sit` step", m.SitStep),
    ("`round` step", m.RoundStep),
    ("Turn (`turn` of a round)", m.TurnSpec),
    ("Addressee (`addressee` of a round)", m.Addressee),
    ("`consent` step", m.ConsentStep),
    ("`exchange` step", m.ExchangeStep),
    ("Parts (`parts` of an exchange)", m.ExchangeParts),
    ("Part (`speak`, `reflect` or `confirm` of `parts`)", m.ExchangePart),
    ("`discussion` step", m.DiscussionStep),
    ("Stack (`stack` of a discussion)", m.StackSpec),
    ("`breakout` step", m.BreakoutStep),
    ("`for-each` step", m.ForEachStep),
    ("`repeat` step", m.RepeatStep),
    ("`group` step", m.GroupStep),
    ("Bells (`bells` of a timed step)", m.Bells),
    ("Cue (a bell with optional words)", m.CueSpec),
    ("Timed bell (an item of `bells.at`)", m.TimedCue),
    ("Interval bells (`bells.interval`)", m.IntervalBells),
    ("Scaled duration", m.ScaledDuration),
]


def _validator_name(meta: Any) -> str | None:
    if isinstance(meta, BeforeValidator):
        return getattr(meta.func, "__name__", None)
    return None


def _bounds(metadata: list[Any]) -> str:
    low: object = None
    high: object = None
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            meta = list(meta.metadata)
            return _bounds(meta)
        if isinstance(meta, annotated_types.Ge):
            low = meta.ge
        elif isinstance(meta, annotated_types.Gt):
            low = meta.gt
        if isinstance(meta, annotated_types.Le):
            high = meta.le
        elif isinstance(meta, annotated_types.Lt):
            high = meta.lt
    if low is not None and high is not None:
        return f" ({low} to {high})"
    return ""


def type_name(tp: Any, metadata: list[Any] | None = None) -> str:
    """A reader's name for a field type: `duration`, `text`, `list of steps`..."""
    metadata = list(metadata or [])
    if get_origin(tp) is Annotated:
        base, *extra = get_args(tp)
        return type_name(base, [*metadata, *extra])
    names = {_validator_name(meta) for meta in metadata}
    if "_duration" in names:
        return "duration"
    if "_offset" in names:
        return "time (`0s` allowed)"
    if "_cue_shorthand" in names:
        return "cue"
    if "_stack_shorthand" in names:
        return "`true` or stack"
    if "_meeting_list" in names:
        return "meeting or list of meetings"
    if get_origin(tp) in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        plain = [get_origin(a) or a for a in members]
        if str in plain and dict in plain:
            return "text"
        if any(getattr(a, "__name__", "") == "ScaledDuration" for a in members):
            return "duration or scaled duration"
        if any(isinstance(a, type) and issubclass(a, m.StepBase) for a in members):
            return "step"
        return " or ".join(type_name(a) for a in members)
    if get_origin(tp) is Literal:
        return " \\| ".join(f"`{a}`" for a in get_args(tp))
    if get_origin(tp) is list:
        return f"list of {_plural(type_name(get_args(tp)[0]))}"
    if get_origin(tp) is dict:
        key, value = get_args(tp)
        return f"mapping of {type_name(key)} → {type_name(value)}"
    patterns = [
        getattr(meta, "pattern", None)
        for info in metadata
        for meta in [info, *getattr(info, "metadata", [])]
    ]
    pattern = next((p for p in patterns if p), None)
    if tp is str and pattern:
        if pattern.startswith("^[a-z][a-z0-9_-]"):
            return "name"
        if pattern.startswith("^[a-z]{2,3}"):
            return "language code"
        if ".wav" in pattern:
            return "file name (.wav)"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return {
            "CueSpec": "cue",
            "Bells": "bells",
            "TurnSpec": "turn",
            "Role": "role",
            "SoundDef": "sound",
            "VoiceSpec": "voice",
            "Source": "source",
            "CircleSize": "size",
            "GuardianSpec": "guardian",
            "TimedCue": "timed bell",
            "IntervalBells": "interval bells",
            "ScaledDuration": "scaled duration",
            "Series": "series",
            "When": "when",
            "Addressee": "addressee",
            "StackSpec": "stack",
            "ExchangePart": "part",
            "ExchangeParts": "parts",
        }.get(tp.__name__, tp.__name__)
    base = {bool: "true or false", int: "whole number", float: "number", str: "text"}.get(tp)
    if base is None:
        return getattr(tp, "__name__", str(tp))
    return base + _bounds(metadata)


def _plural(name: str) -> str:
    return name if name.endswith("s") or name.startswith("`") else name + "s"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.default
    if value is PydanticUndefined or value is None:
        return ""
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, list | dict):
        return "" if not value else f"`{value}`"
    if isinstance(value, BaseModel):
        if isinstance(value, m.CueSpec):
            strikes = f" x{value.strikes}" if value.strikes > 1 else ""
            return f"`{value.sound}{strikes}`"
        if isinstance(value, m.Bells) and (value.start or value.end):
            parts = []
            for name in ("start", "end"):
                cue = getattr(value, name)
                if cue is not None:
                    strikes = f" x{cue.strikes}" if cue.strikes > 1 else ""
                    parts.append(f"{name}: {cue.sound}{strikes}")
            return "`" + ", ".join(parts) + "`"
        return ""
    return f"`{value}`"


def _own_fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo]]:
    """Fields of `model`, leaving out those every step shares (they have their own table)."""
    shared: set[str] = set()
    if issubclass(model, m.StepBase) and model is not m.StepBase:
        shared = set(m.StepBase.model_fields)
    if issubclass(model, m.TimedCue | m.IntervalBells):
        shared = set(m.CueSpec.model_fields)
    own = [(n, i) for n, i in model.model_fields.items() if n not in shared]
    # A step's `kind` comes first, whatever the classes it inherits its fields from.
    return sorted(own, key=lambda item: item[0] != "kind")


def field_tables() -> str:
    """All field tables, one per mapping of the format, as Markdown."""
    out: list[str] = []
    for heading, model in SECTIONS:
        out.append(f"### {heading}\n")
        doc = (model.__doc__ or "").strip().splitlines()[0]
        extra = ""
        if issubclass(model, m.TimedCue | m.IntervalBells):
            extra = " It also takes every field of a cue."
        out.append(f"{doc}{extra}\n")
        out.append("| field | type | default | meaning |")
        out.append("|---|---|---|---|")
        for name, info in _own_fields(model):
            key = info.alias or name
            description = " ".join((info.description or "").split()).replace("|", "\\|")
            if name == "kind" and issubclass(model, m.StepBase):
                description = "Says which kind of step this is."
            kind = type_name(info.annotation, list(info.metadata))
            default = _default(info)
            if kind.startswith(("duration", "time")) and isinstance(info.default, int):
                default = f"`{format_duration(info.default)}`"
            out.append(f"| `{key}` | {kind} | {default} | {description} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def replace_tables(document: str) -> str:
    """`document` with the text between the markers replaced by fresh tables."""
    start = document.index(BEGIN) + len(BEGIN)
    end = document.index(END)
    return document[:start] + "\n\n" + field_tables() + "\n" + document[end:]
