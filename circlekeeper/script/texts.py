"""Texts in several languages: choosing a translation, and listing what a session speaks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from circlekeeper.script.model import (
    BreakoutStep,
    CueSpec,
    DiscussionStep,
    Practice,
    ReadStep,
    RoundStep,
    SilenceStep,
    SitStep,
    StepBase,
)

TextValue = str | dict[str, str]
"""A loaded `Text`: plain text, or language code → text."""


def pick_language(text: TextValue, language: str | None, default_language: str) -> str:
    """The language whose version of `text` is used for `language`.

    Exact code first (`pt-BR`), then the same base language (`pt`, or `pt-PT` for `pt`),
    then the practice's language, then whichever version comes first.
    """
    if isinstance(text, str):
        return default_language
    for wanted in (language, default_language):
        if not wanted:
            continue
        if wanted in text:
            return wanted
        base = wanted.split("-")[0]
        if base in text:
            return base
        for code in text:
            if code.split("-")[0] == base:
                return code
    return next(iter(text))


def localize(text: TextValue, language: str | None, default_language: str) -> str:
    """The version of `text` to show or speak for `language`, falling back sensibly."""
    if isinstance(text, str):
        return text
    return text[pick_language(text, language, default_language)]


def _step_texts(step: StepBase) -> list[TextValue]:
    """Texts a step speaks when it starts (if `speak`), in the order they are heard."""
    if not step.speak:
        return []
    if isinstance(step, ReadStep):
        return [step.text]
    if isinstance(step, SitStep):
        return [step.guidance] if step.guidance is not None else []
    if isinstance(step, RoundStep):
        found: list[TextValue] = []
        if step.prompt is not None:
            found.append(step.prompt)
        found.extend(step.prompts)
        return found
    if isinstance(step, SilenceStep | DiscussionStep | BreakoutStep):
        return [step.prompt] if step.prompt is not None else []
    return []


def _cue_says(value: Any, found: list[TextValue]) -> None:
    """Collect `say` of every cue below `value`, fields in declaration order."""
    if isinstance(value, CueSpec) and value.say is not None:
        found.append(value.say)
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name == "steps":
                continue  # inner steps are visited on their own, in order
            _cue_says(getattr(value, name), found)
    elif isinstance(value, list):
        for item in value:
            _cue_says(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            if isinstance(item, BaseModel):
                _cue_says(item, found)


def spoken_texts(practice: Practice, language: str | None = None) -> list[tuple[str, str]]:
    """Every distinct (text, language) the session may speak, in first-heard order.

    Used to render speech ahead of a session, so nothing waits on the speech engine live.
    """
    from circlekeeper.script.validate import iter_steps

    default = practice.language
    found: list[TextValue] = []
    _cue_says(practice.guardian, found)
    for at in iter_steps(practice):
        found.extend(_step_texts(at.step))
        _cue_says(at.step, found)
    result: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for text in found:
        code = pick_language(text, language, default)
        item = (localize(text, language, default).strip(), code)
        if item[0] and item not in seen:
            seen.add(item)
            result.append(item)
    return result
