"""How long a practice will take for a circle of a given size (an estimate for the library)."""

from __future__ import annotations

from collections.abc import Sequence

from circlekeeper.script.model import (
    BreakoutStep,
    DiscussionStep,
    ForEachStep,
    GroupStep,
    Practice,
    ReadStep,
    RepeatStep,
    RoundStep,
    SilenceStep,
    SitStep,
    StepBase,
    duration_seconds,
)
from circlekeeper.script.texts import localize

WORDS_PER_MINUTE = 150
"""Reading pace for a read step without a duration."""
MIN_READ_SECONDS = 20.0
"""Even a short reading takes a moment to settle into."""
UNTIMED_TURN_SECONDS = 120.0
"""A typical untimed turn in a round."""


class _Estimator:
    def __init__(self, practice: Practice, size: int) -> None:
        self.practice = practice
        self.size = max(1, size)
        self.by_id: dict[str, StepBase] = {}
        self.memo: dict[int, float] = {}
        self._index(practice.steps)

    def _index(self, steps: Sequence[object]) -> None:
        for step in steps:
            if not isinstance(step, StepBase):
                continue
            if step.id is not None:
                self.by_id.setdefault(step.id, step)
            inner = getattr(step, "steps", None)
            if isinstance(inner, list):
                self._index(inner)

    def people(self, only: list[str]) -> int:
        """How many people take part: everyone, or the holders of the `only` roles."""
        if not only:
            return self.size
        counts = {role.id: role.count for role in self.practice.roles}
        # A loop binding (`focus`) is one person.
        total = sum(counts.get(name, 1) for name in only)
        return max(1, min(self.size, total))

    def speakers(self, step: RoundStep) -> int:
        if step.only:
            return self.people(step.only)
        silent = sum(role.count for role in self.practice.roles if not role.speaks)
        return max(1, self.size - silent)

    def seconds(self, step: StepBase, depth: int = 0) -> float:
        # Memoised: `repeat: {of: [a, a]}` chains would otherwise cost 2^n calls.
        key = id(step)
        if key not in self.memo:
            self.memo[key] = self._seconds(step, depth)
        return self.memo[key]

    def _seconds(self, step: StepBase, depth: int) -> float:
        if depth > 50:
            return 0.0  # a repeat chain this deep is not a real script; do not recurse forever
        if isinstance(step, ReadStep):
            if step.duration is not None:
                return float(duration_seconds(step.duration, self.size))
            text = localize(step.text, None, self.practice.language)
            words = len(text.split())
            return max(MIN_READ_SECONDS, words / WORDS_PER_MINUTE * 60.0)
        if isinstance(step, SilenceStep | SitStep | DiscussionStep | BreakoutStep):
            return float(duration_seconds(step.duration, self.size))
        if isinstance(step, RoundStep):
            if step.turn.budget is not None:
                lap = float(duration_seconds(step.turn.budget, self.size))
            else:
                turn = float(step.turn.time) if step.turn.time else UNTIMED_TURN_SECONDS
                lap = turn * self.speakers(step)
            return lap * step.lap_count
        if isinstance(step, ForEachStep):
            inner = sum(self.seconds(s, depth + 1) for s in step.steps)
            return inner * self.people(step.only)
        if isinstance(step, RepeatStep):
            body: list[StepBase] = list(step.steps) or [
                self.by_id[name] for name in step.of if name in self.by_id
            ]
            return step.times * sum(self.seconds(s, depth + 1) for s in body)
        if isinstance(step, GroupStep):
            return sum(self.seconds(s, depth + 1) for s in step.steps)
        return 0.0


def step_label(step: StepBase, language: str) -> str:
    """A short name for a step: its title, else its prompt or text, else its kind."""
    kind = str(getattr(step, "kind", "step"))
    prompts = getattr(step, "prompts", None) or [None]
    candidates = (
        step.title,
        getattr(step, "prompt", None),
        prompts[0],
        getattr(step, "text", None),
    )
    for candidate in candidates:
        if candidate is not None:
            text = " ".join(localize(candidate, None, language).split())
            return text if len(text) <= 48 else text[:45] + "..."
    return kind.replace("-", " ").capitalize()


def step_estimates(practice: Practice, size: int) -> list[tuple[str, str, float]]:
    """(label, kind, seconds) for each top-level step, for a circle of `size`."""
    estimator = _Estimator(practice, size)
    return [
        (step_label(step, practice.language), str(step.kind), estimator.seconds(step))
        for step in practice.steps
    ]


def estimate_seconds(practice: Practice, size: int) -> float:
    """Estimated length of the whole practice for a circle of `size` people."""
    return sum(seconds for _, _, seconds in step_estimates(practice, size))
