"""The texts of a script: choosing a translation, a step's title and text, what a session
speaks and when. The engine, the library and speech rendering all ask here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from circlekeeper.i18n import Msg, msg
from circlekeeper.script.languages import pick_language
from circlekeeper.script.model import (
    EXCHANGE_PARTS,
    BreakoutStep,
    ConsentStep,
    CueSpec,
    DiscussionStep,
    ExchangeStep,
    Practice,
    ReadStep,
    RoundStep,
    SilenceStep,
    SitStep,
    StepBase,
)

TextValue = str | dict[str, str]
"""A loaded `Text`: plain text, or language code → text."""


def localize(text: TextValue, language: str | None, default_language: str) -> str:
    """The version of `text` to show or speak for `language`, falling back sensibly."""
    if isinstance(text, str):
        return text
    return text[pick_language(text, language, default_language)]


DEFAULT_TITLES: dict[str, Msg] = {
    "read": msg("Reading"),
    "silence": msg("Silence"),
    "sit": msg("Sitting"),
    "round": msg("Round"),
    "consent": msg("Consent round"),
    "exchange": msg("Exchange"),
    "discussion": msg("Discussion"),
    "breakout": msg("Breakout"),
    "for-each": msg("For each person"),
    "repeat": msg("Repeat"),
    "group": msg("Group"),
}
"""The heading of a step that has no `title`, by kind: the interface's words, not the
practice's, so each is a `Msg` (English wherever it is kept; a screen says it in the
interface's language)."""
WALKING = msg("Walking")
STEP = msg("Step")


def step_title(step: StepBase, language: str | None, default_language: str) -> str:
    """The heading of a step: its title, else a walking period's "Walking", else its kind's."""
    if step.title is not None:
        title = localize(step.title, language, default_language).strip()
        if title:
            return title
    if isinstance(step, SitStep) and step.mode == "walking":
        return WALKING
    return DEFAULT_TITLES.get(str(getattr(step, "kind", "")), STEP)


def lap_prompt(step: RoundStep | ConsentStep, lap: int) -> TextValue | None:
    """The prompt of one lap of a round: its own from `prompts`, else the round's `prompt`
    (a consent round: its question, every round)."""
    if isinstance(step, ConsentStep):
        return step.prompt
    if 1 <= lap <= len(step.prompts):
        return step.prompts[lap - 1]
    if step.prompt is not None:
        return step.prompt
    return step.prompts[-1] if step.prompts else None


def main_text(step: StepBase, lap: int | None = None) -> TextValue | None:
    """The main text of a step: what is read, guided or asked.

    For a round, `lap` picks that lap's prompt; without it, the round's question as a whole
    (its `prompt`, else the first lap's).
    """
    if isinstance(step, ReadStep):
        return step.text
    if isinstance(step, SitStep):
        return step.guidance
    if isinstance(step, RoundStep):
        if lap is not None:
            return lap_prompt(step, lap)
        return step.prompt if step.prompt is not None else lap_prompt(step, 1)
    if isinstance(step, ConsentStep):
        return step.proposal if step.proposal is not None else step.prompt
    if isinstance(step, SilenceStep | DiscussionStep | BreakoutStep | ExchangeStep):
        return step.prompt
    return None


def step_text(
    step: StepBase, language: str | None, default_language: str, lap: int | None = None
) -> str | None:
    """`main_text` in the session's language, or None."""
    text = main_text(step, lap)
    return None if text is None else localize(text, language, default_language)


def speech_at_start(step: StepBase) -> TextValue | None:
    """What a step speaks when it starts (with `speak`): its main text; a round speaks its
    `prompt` here, and each lap's own prompt when the lap starts."""
    if not step.speak:
        return None
    if isinstance(step, RoundStep):
        return step.prompt
    if isinstance(step, ConsentStep):
        return step.proposal  # the question is asked as each consent round starts
    return main_text(step)


def speech_at_lap(step: RoundStep | ConsentStep, lap: int) -> TextValue | None:
    """What a round speaks when lap `lap` starts: that lap's entry of `prompts`, if any; a
    consent round its question, every round."""
    if not step.speak:
        return None
    if isinstance(step, ConsentStep):
        return step.prompt
    if not 1 <= lap <= len(step.prompts):
        return None
    return step.prompts[lap - 1]


def speech_at_turn(step: StepBase) -> TextValue | None:
    """What a round speaks at the start of every turn: whom the speaker addresses, when the
    script asks for it."""
    if isinstance(step, RoundStep) and step.addressee is not None and step.addressee.speak:
        return step.addressee.text
    return None


def speech_at_part(step: ExchangeStep, part: str) -> TextValue | None:
    """What an exchange speaks when one of its parts (speak, reflect, confirm) begins."""
    spec = getattr(step.parts, part)
    return spec.prompt if spec.speak else None


def spoken(
    text: TextValue | None, language: str | None, default_language: str
) -> tuple[str, str] | None:
    """(words, language code) as they are spoken for `language`; None for no or blank text.

    The session speaks exactly this, and `spoken_texts` lists exactly this, so speech
    rendered ahead of a session is the speech the session asks for.
    """
    if text is None:
        return None
    words = localize(text, language, default_language).strip()
    return (words, pick_language(text, language, default_language)) if words else None


def _step_texts(step: StepBase) -> list[TextValue]:
    """Texts a step speaks, in the order they are heard."""
    found = [speech_at_start(step)]
    if isinstance(step, RoundStep):
        found += [speech_at_lap(step, lap) for lap in range(1, len(step.prompts) + 1)]
        found.append(speech_at_turn(step))
    if isinstance(step, ConsentStep):
        found.append(speech_at_lap(step, 1))
    if isinstance(step, ExchangeStep):
        found += [speech_at_part(step, part) for part in EXCHANGE_PARTS]
    return [text for text in found if text is not None]


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
    for text in found:
        item = spoken(text, language, default)
        if item is not None and item not in result:
            result.append(item)
    return result


_SHOWN_ONE = ("title", "text", "guidance", "prompt")
_SHOWN_MANY = ("prompts", "stems")


def translations(practice: Practice, language: str | None = None) -> dict[str, dict[str, str]]:
    """Every text a step shows that the practice gives in several languages, keyed by the
    version shown in `language`: language code → text.

    A viewer of the shared view may read another language than the session speaks; this
    finds the other versions of whatever is on screen.
    """
    from circlekeeper.script.validate import iter_steps

    found: dict[str, dict[str, str]] = {}
    for at in iter_steps(practice):
        values: list[Any] = [getattr(at.step, name, None) for name in _SHOWN_ONE]
        for name in _SHOWN_MANY:
            values.extend(getattr(at.step, name, None) or [])
        for value in values:
            if isinstance(value, dict) and len(value) > 1:
                shown = localize(value, language, practice.language)
                found.setdefault(shown, dict(value))
    return found


def text_languages(practice: Practice) -> list[str]:
    """Every language the practice's texts are written in: its own language first.

    Plain texts are in the practice's `language`; a text given as a mapping adds each of its
    language codes. Translations are the only mappings of text to text in the format.
    """
    found: dict[str, None] = {practice.language: None}

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name))
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value and all(isinstance(item, str) for item in value.values()):
                found.update(dict.fromkeys(value))
            else:
                for item in value.values():
                    walk(item)

    walk(practice)
    return [practice.language, *sorted(set(found) - {practice.language})]
