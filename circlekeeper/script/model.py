"""The practice-script format: pydantic models, one per YAML mapping.

Every field has a docstring: it becomes the field's description in the JSON Schema that
editors use for completion. Models are strict and forbid unknown keys, so a typo is an
error with a line number, never a silently ignored setting.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from circlekeeper.script.duration import DURATION_REGEX, parse_duration

FORMAT_VERSION: Literal[1] = 1
BuiltinSound = Literal["bowl", "chime", "clappers", "gong", "warning"]
"""The sounds circlekeeper synthesises itself."""
BUILTIN_SOUNDS: tuple[str, ...] = get_args(BuiltinSound)

PracticeKind = Literal[
    "check-in",
    "check-out",
    "sit",
    "feedback",
    "conflict",
    "decision",
    "convergence",
    "dyad",
    "other",
]
"""What sort of practice a script is; the library groups practices by kind."""
PRACTICE_KINDS: tuple[str, ...] = get_args(PracticeKind)


def _duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("a duration is written with a unit, like 90s, 2m, 2m30s or 1h15m")
    return value


def _offset(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value, allow_zero=True)
    raise ValueError("a time is written with a unit, like 0s, 90s, 25m or 1h15m")


_DURATION_SCHEMA = {
    "type": "string",
    "pattern": DURATION_REGEX,
    "examples": ["90s", "2m", "2m30s", "1h15m"],
}

Duration = Annotated[
    int, BeforeValidator(_duration), WithJsonSchema({**_DURATION_SCHEMA, "minLength": 2})
]
"""Seconds, written in the script as ``90s``, ``2m``, ``2m30s`` or ``1h15m`` (never zero)."""

Offset = Annotated[int, BeforeValidator(_offset), WithJsonSchema(_DURATION_SCHEMA)]
"""Seconds from the start of a step; ``0s`` is allowed."""

Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
"""A short lowercase name used to refer to a step, role or sound."""

LangCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
"""A language code such as ``en``, ``de`` or ``pt-BR``."""


def _text_not_blank(value: str | dict[str, str]) -> str | dict[str, str]:
    texts = [value] if isinstance(value, str) else list(value.values())
    if isinstance(value, dict) and not value:
        raise ValueError("give the text in at least one language")
    if any(not t.strip() for t in texts):
        raise ValueError("text must not be empty")
    return value


Text = Annotated[
    str | dict[LangCode, Annotated[str, Field(max_length=4000)]],
    Field(max_length=4000),
    AfterValidator(_text_not_blank),
]
"""Text in the practice's language, or a mapping of language code to text."""


class Model(BaseModel):
    """Base of every script mapping: strict, no unknown keys, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )


def _cue_shorthand(value: Any) -> Any:
    # "bowl" or "bowl x3" is shorter to write than a mapping.
    if isinstance(value, str):
        name, _, count = value.strip().partition(" x")
        if count:
            if not count.strip().isdigit():
                raise ValueError(f"{value!r}: write a cue as NAME or NAME xN, like 'bowl x3'")
            return {"sound": name.strip(), "strikes": int(count)}
        return {"sound": name.strip()}
    return value


class CueSpec(Model):
    """A sound, struck one or more times, optionally with words spoken after it."""

    sound: Ident = "bowl"
    """A built-in sound (bowl, chime, clappers, gong, warning) or one named under `sounds`."""
    strikes: Annotated[int, Field(ge=1, le=12)] = 1
    """How many times the sound is struck, with musical spacing between strikes."""
    say: Text | None = None
    """Words spoken after the sound."""


_CUE_SHORTHAND = Annotated[str, Field(pattern=r"^ *[a-z][a-z0-9_-]{0,39}( +x *[0-9]{1,2})? *$")]

# The schema must offer the shorthand too, or editors flag every `start: bowl x3`.
Cue = Annotated[
    CueSpec,
    BeforeValidator(_cue_shorthand, json_schema_input_type=_CUE_SHORTHAND | CueSpec),
]
"""A cue: a mapping, or the shorthand `bowl` / `bowl x3`."""


class TimedCue(CueSpec):
    """A cue at a fixed time from the start of the step."""

    at: Offset
    """When it sounds, from the start of the step (`0s`, `25m`, `1h5m`)."""


class IntervalBells(CueSpec):
    """A cue repeated through the step."""

    every: Duration
    """Time between interval bells; the first sounds one interval after the start."""
    jitter: Offset = 0
    """Random spread around each interval bell (for random interval bells)."""


class Bells(Model):
    """When bells sound during a timed step."""

    start: Cue | None = None
    """Sounded when the step starts."""
    end: Cue | None = None
    """Sounded when the step's time is up."""
    halfway: Cue | None = None
    """Sounded at half time."""
    warning: Duration | None = None
    """Sound the warning cue this long before the end."""
    warning_cue: Cue = CueSpec(sound="warning")
    """The cue used for the warning; quieter than a bell by default."""
    interval: IntervalBells | None = None
    """Bells at a regular interval."""
    at: list[TimedCue] = []
    """Bells at custom times, such as 0s, 25m, 30m and 55m for zazen."""


class ScaledDuration(Model):
    """A duration that grows with the size of the circle."""

    per_person: Duration
    """Time for each person in the circle."""
    plus: Offset = 0
    """Time added once, whatever the size."""
    min: Duration | None = None
    """Never shorter than this."""
    max: Duration | None = None
    """Never longer than this."""

    def seconds(self, size: int) -> int:
        """The duration for a circle of `size` people."""
        total = self.per_person * size + self.plus
        if self.min is not None:
            total = max(total, self.min)
        if self.max is not None:
            total = min(total, self.max)
        return total


StepDuration = Duration | ScaledDuration
"""A fixed duration (`20m`) or one scaled to the circle (`{per_person: 2m, plus: 1m}`)."""


def duration_seconds(spec: StepDuration, size: int) -> int:
    """Seconds of a fixed or scaled duration for a circle of `size` people."""
    return spec if isinstance(spec, int) else spec.seconds(size)


class TurnSpec(Model):
    """How long each person holds the talking stick in a round."""

    time: Duration | None = None
    """Time for each turn; leave out for untimed turns that end when the speaker is done."""
    budget: StepDuration | None = None
    """A total for the whole lap, shared out equally (instead of `time`)."""
    warning: Duration | None = None
    """Sound the warning cue this long before a turn ends."""
    warning_cue: Cue = CueSpec(sound="warning")
    """The gentle cue before a turn ends."""
    end: Literal["soft", "hard"] = "soft"
    """`soft`: the speaker may finish and overtime is recorded; `hard`: the stick moves on."""
    end_cue: Cue | None = None
    """Sounded when a turn's time is up."""

    @model_validator(mode="after")
    def _one_time(self) -> TurnSpec:
        if self.time is not None and self.budget is not None:
            raise ValueError("give either `time` or `budget` for a turn, not both")
        if self.warning is not None and self.time is None and self.budget is None:
            raise ValueError("a turn `warning` needs a turn `time` or `budget`")
        if self.warning is not None and self.time is not None and self.warning >= self.time:
            raise ValueError("the turn `warning` must come before the turn ends")
        return self


class Role(Model):
    """A role someone takes in the practice: host, guardian, timekeeper, case giver..."""

    id: Ident
    """The name steps use to refer to this role."""
    name: Text
    """What the role is called on screen."""
    description: Text | None = None
    """What the person in this role does."""
    assign: Literal["ask", "rotate", "first", "random"] = "ask"
    """How it is given: asked at setup, rotated between meetings, the first person, or random."""
    count: Annotated[int, Field(ge=1, le=12)] = 1
    """How many people hold it."""
    speaks: bool = True
    """Whether its holders take turns in rounds."""


class SoundDef(Model):
    """A named sound: a built-in one, or a WAV file beside the script."""

    builtin: BuiltinSound | None = None
    """A built-in sound to base this one on."""
    file: Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_. -]*\.wav$")] | None = None
    """A WAV file in the same folder as the script."""
    volume: Annotated[float, Field(gt=0, le=1)] = 1.0
    """Loudness from 0 (silent) to 1."""

    @model_validator(mode="after")
    def _one_source(self) -> SoundDef:
        if (self.builtin is None) == (self.file is None):
            raise ValueError("a sound needs exactly one of `builtin` or `file`")
        return self


class VoiceSpec(Model):
    """How prompts in one language are spoken."""

    voice: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """A speech voice id; the default voice for the language is used when it is missing."""
    rate: Annotated[int, Field(ge=60, le=400)] | None = None
    """Words per minute."""
    volume: Annotated[float, Field(ge=0, le=1)] | None = None
    """Loudness from 0 to 1."""


class Source(Model):
    """Where the practice comes from."""

    title: Annotated[str, Field(min_length=1)]
    """The name of the book, handbook or page."""
    url: str | None = None
    """Where to read it."""
    author: str | None = None
    """Who wrote or teaches it."""
    licence: str | None = None
    """The licence of the source, such as CC-BY-SA-4.0."""


class CircleSize(Model):
    """How many people the practice is made for."""

    min: Annotated[int, Field(ge=1, le=200)] = 2
    """Fewest people."""
    max: Annotated[int, Field(ge=1, le=200)] = 12
    """Most people."""
    ideal: Annotated[int, Field(ge=1, le=200)] | None = None
    """A typical size, used for estimates."""

    @model_validator(mode="after")
    def _ordered(self) -> CircleSize:
        if self.min > self.max:
            raise ValueError("`min` is larger than `max`")
        if self.ideal is not None and not self.min <= self.ideal <= self.max:
            raise ValueError("`ideal` must lie between `min` and `max`")
        return self


class GuardianSpec(Model):
    """The guardian pause: anyone may ask for it; every timer freezes until it is lifted."""

    role: Ident | None = None
    """The role that holds the bell for the pause, if the practice names one."""
    pause_cue: Cue = CueSpec(sound="chime")
    """Sounded when the pause begins."""
    resume_cue: Cue = CueSpec(sound="chime")
    """Sounded when the circle resumes."""


class StepBase(Model):
    """Fields every step shares."""

    id: Ident | None = None
    """A name to refer to this step (by `repeat`)."""
    title: Text | None = None
    """The heading shown on screen."""
    note: Text | None = None
    """Guidance for the facilitator, shown on screen and never spoken."""
    lead: Ident | None = None
    """The role that leads this step."""
    speak: bool = True
    """Whether the step's text or prompt is spoken aloud when it starts."""


class ReadStep(StepBase):
    """Text read aloud or shown: a welcome, a reading, instructions."""

    kind: Literal["read"]
    text: Text
    """What is read."""
    duration: StepDuration | None = None
    """How long to stay on it; leave out to move on when the facilitator is ready."""
    stems: list[Text] = []
    """Sentence stems shown on screen (`When I see...`, `I feel...`)."""
    bells: Bells = Bells()
    """Bells during the step."""


class SilenceStep(StepBase):
    """A moment of silence."""

    kind: Literal["silence"]
    duration: StepDuration
    """How long the silence lasts."""
    prompt: Text | None = None
    """A question to hold in the silence."""
    bells: Bells = Bells()
    """Bells during the silence."""


class SitStep(StepBase):
    """A meditation period, sitting or walking, with its bells."""

    kind: Literal["sit"]
    duration: StepDuration
    """How long the period lasts."""
    mode: Literal["sitting", "walking"] = "sitting"
    """Sitting meditation or walking meditation (kinhin)."""
    guidance: Text | None = None
    """Words spoken at the start, for a guided sit."""
    bells: Bells = Bells(start=CueSpec(sound="bowl", strikes=3), end=CueSpec(sound="bowl"))
    """Bells of the period: by default three to start and one to end."""


class RoundStep(StepBase):
    """A round with a talking stick: one person speaks at a time."""

    kind: Literal["round"]
    prompt: Text | None = None
    """The question of the round."""
    prompts: list[Text] = []
    """One prompt per lap, for rounds of several laps."""
    laps: Annotated[int, Field(ge=1, le=20)] | None = None
    """How many times the stick goes around (by default one, or one per prompt)."""
    order: Literal["fixed", "popcorn", "quietest-first"] = "fixed"
    """`fixed`: around the circle; `popcorn`: the facilitator picks who is next;
    `quietest-first`: least airtime so far speaks first."""
    start: Literal[
        "first", "random", "rotate-per-lap", "rotate-per-meeting", "keeper-first", "role"
    ] = "first"
    """Who holds the stick first."""
    start_role: Ident | None = None
    """With `start: role`, the role whose holder starts."""
    end_with: Ident | None = None
    """A role whose holder always speaks last (the case giver after the coaches)."""
    only: list[Ident] = []
    """Only holders of these roles speak in this round."""
    direction: Literal["clockwise", "counterclockwise"] = "clockwise"
    """Which way the stick travels around the circle."""
    turn: TurnSpec = TurnSpec()
    """Time per person and what happens when it runs out."""
    passing: Literal["to-end", "skip", "not-allowed"] = "to-end"
    """A pass sends the person to the end of the queue, skips them this lap, or is not offered."""
    until: Literal["laps", "all-pass"] = "laps"
    """End after the laps, or keep going until a whole lap passes."""
    stems: list[Text] = []
    """Sentence stems shown during the round."""
    bells: Bells = Bells()
    """Bells at the start and end of the round."""

    @model_validator(mode="after")
    def _laps(self) -> RoundStep:
        if self.prompts and self.laps is not None and self.laps != len(self.prompts):
            raise ValueError(
                f"`laps` is {self.laps} but {len(self.prompts)} `prompts` are given; "
                "give one prompt per lap"
            )
        if self.start == "role" and self.start_role is None:
            raise ValueError("`start: role` needs `start_role`")
        if self.start_role is not None and self.start != "role":
            raise ValueError("`start_role` is used only with `start: role`")
        return self

    @property
    def lap_count(self) -> int:
        """Number of laps (at least one)."""
        return self.laps or len(self.prompts) or 1


class DiscussionStep(StepBase):
    """Open conversation, with an optional speaking queue (taking stack)."""

    kind: Literal["discussion"]
    duration: StepDuration
    """How long the conversation lasts."""
    prompt: Text | None = None
    """What the conversation is about."""
    stack: bool = False
    """Keep an ordered queue of people who asked to speak."""
    stems: list[Text] = []
    """Sentence stems shown on screen."""
    bells: Bells = Bells()
    """Bells during the conversation."""


class BreakoutStep(StepBase):
    """The circle splits into pairs, triads or small groups on one shared timer."""

    kind: Literal["breakout"]
    group_size: Annotated[int, Field(ge=2, le=12)]
    """People per group."""
    leftovers: Literal["join", "own-group"] = "join"
    """People left over join other groups, or form a smaller group of their own."""
    shuffle: Literal["avoid-repeats", "random", "keep", "merge"] = "avoid-repeats"
    """New groups avoiding earlier partners, fully random, the same as last time, or earlier
    groups merged (pairs into fours)."""
    duration: StepDuration
    """How long the groups meet."""
    prompt: Text | None = None
    """What the groups work on."""
    swap_every: Duration | None = None
    """Signal a swap of speaker inside each group at this interval."""
    swap_cue: Cue = CueSpec(sound="chime")
    """The signal to swap."""
    return_cue: Cue = CueSpec(sound="bowl")
    """The signal to come back to the whole circle."""
    bells: Bells = Bells()
    """Bells during the breakout."""


class ForEachStep(StepBase):
    """Run the inner steps once for each person, who is the focus (Case Clinic, Troika)."""

    kind: Literal["for-each"]
    as_: Annotated[Ident, Field(alias="as")] = "focus"
    """The role the current person takes inside the loop; inner steps refer to it."""
    order: Literal["circle", "random"] = "circle"
    """Go around the circle in order, or in a random order."""
    only: list[Ident] = []
    """Only holders of these roles take the focus."""
    steps: Annotated[list[Step], Field(min_length=1)]
    """The steps run for each person."""


class RepeatStep(StepBase):
    """Run steps again: inline steps, or earlier steps named by id."""

    kind: Literal["repeat"]
    times: Annotated[int, Field(ge=1, le=50)] = 1
    """How many times."""
    steps: list[Step] = []
    """Steps to repeat."""
    of: list[Ident] = []
    """Ids of earlier steps to run again (e.g. the consent round)."""

    @model_validator(mode="after")
    def _one_body(self) -> RepeatStep:
        if self.steps and self.of:
            raise ValueError("`repeat` needs either `steps` or `of`, not both")
        if not self.steps and not self.of:
            raise ValueError("`repeat` needs `steps` to repeat, or `of` with ids of earlier steps")
        return self


class GroupStep(StepBase):
    """A named block of steps, shown as one item of the agenda."""

    kind: Literal["group"]
    steps: Annotated[list[Step], Field(min_length=1)]
    """The steps in the block."""


Step = Annotated[
    ReadStep
    | SilenceStep
    | SitStep
    | RoundStep
    | DiscussionStep
    | BreakoutStep
    | ForEachStep
    | RepeatStep
    | GroupStep,
    Field(discriminator="kind"),
]
"""One step of a practice; `kind` says which."""

STEP_KINDS: tuple[str, ...] = tuple(
    get_args(cls.model_fields["kind"].annotation)[0] for cls in get_args(get_args(Step)[0])
)
"""The `kind` of every step class, in the order of the `Step` union."""


class Practice(Model):
    """A practice script: metadata, roles, sounds and the steps that run in order."""

    format: Literal[1] = FORMAT_VERSION
    """The version of this format."""
    title: Annotated[str, Field(min_length=1, max_length=120)]
    """The name shown in the library."""
    summary: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    """One or two sentences on what the practice is for."""
    kind: PracticeKind
    """What sort of practice this is; the library groups practices by kind."""
    size: CircleSize = CircleSize()
    """How many people it is made for."""
    language: LangCode = "en"
    """The language of plain texts in the script."""
    voices: dict[LangCode, VoiceSpec] = {}
    """How each language is spoken."""
    keeper_role: Ident | None = None
    """The role of the person keeping the circle (for `start: keeper-first`)."""
    roles: list[Role] = []
    """Roles people take."""
    sounds: dict[Ident, SoundDef] = {}
    """Extra named sounds, built-in or from WAV files beside the script."""
    guardian: GuardianSpec = GuardianSpec()
    """How a guardian pause sounds."""
    sources: list[Source] = []
    """Where the practice comes from."""
    licence: str | None = None
    """The licence of this script's text."""
    authors: list[str] = []
    """Who wrote this script."""
    tags: list[Ident] = []
    """Words to find the practice by."""
    steps: Annotated[list[Step], Field(min_length=1, max_length=500)]
    """The steps, in order."""


ForEachStep.model_rebuild()
RepeatStep.model_rebuild()
GroupStep.model_rebuild()
Practice.model_rebuild()
