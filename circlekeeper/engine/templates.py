"""Steps a facilitator puts on the agenda in the moment: a round with a prompt, a silence, a
breakout of a chosen size, a discussion, a sit. Each template is a step as the format writes
it (durations with their unit), so it is checked and journalled like any inserted step.
"""

from __future__ import annotations

from typing import Any

from circlekeeper.script.duration import format_duration

TEMPLATE_KINDS: tuple[str, ...] = ("round", "silence", "breakout", "discussion", "sit")
"""The templates, in the order a screen offers them."""

TEMPLATE_LABELS: dict[str, str] = {
    "round": "A round with a prompt",
    "silence": "A silence",
    "breakout": "A breakout in small groups",
    "discussion": "A discussion",
    "sit": "A sit",
}
"""How each template is offered."""

DEFAULT_SECONDS: dict[str, int | None] = {
    "round": None,
    "silence": 60,
    "breakout": 240,
    "discussion": 600,
    "sit": 600,
}
"""A template's length as offered (a round: untimed turns)."""

GROUP_WORDS: dict[int, str] = {2: "pairs", 3: "threes", 4: "fours"}


def breakout_title(size: int) -> str:
    """ "Breakout in pairs", "Breakout in groups of 5"."""
    return f"Breakout in {GROUP_WORDS.get(size, f'groups of {size}')}"


def template(
    kind: str,
    *,
    seconds: int | None,
    title: str | None = None,
    prompt: str | None = None,
    group_size: int = 2,
) -> dict[str, Any]:
    """The step a template makes. `seconds`: the step's length (a round: each person's turn;
    None: untimed turns, an open-ended discussion); `group_size`: a breakout's."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"no template {kind!r}; the templates: {', '.join(TEMPLATE_KINDS)}")
    step: dict[str, Any] = {"kind": kind}
    if kind == "breakout":
        step["group_size"] = group_size
    title = (title or "").strip() or (breakout_title(group_size) if kind == "breakout" else "")
    if title:
        step["title"] = title
    if prompt is not None and prompt.strip():
        # A sit is guided rather than prompted.
        step["guidance" if kind == "sit" else "prompt"] = prompt.strip()
    if kind == "round":
        if seconds is not None:
            step["turn"] = {"time": format_duration(seconds)}
    elif seconds is not None:
        step["duration"] = format_duration(seconds)
    return step
