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
from circlekeeper.script.limits import MAX_ITEMS, MAX_STEPS

FORMAT_VERSION: Literal[1] = 1
BuiltinSound = Literal["bowl", "chime", "clappers", "gong", "warning"]
"""The sounds circlekeeper synthesises itself (`sounds.BUILTIN_SOUNDS`, spelled out for the
models and the schema; a test holds the two to the same names)."""

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

Response = Literal["consent", "concern", "stand-aside", "objection"]
"""What a person answers in a consent round (an objection is a block)."""
RESPONSES: tuple[Response, ...] = get_args(Response)

RequestKind = Literal["process", "clarify", "reply", "new-point"]
"""A request to speak in a queue, most urgent first: a point of process, a clarifying
question, a reply to what is being said, a new point (the order TCQ keeps)."""
REQUEST_KINDS: tuple[RequestKind, ...] = get_args(RequestKind)

ExchangePartName = Literal["speak", "reflect", "confirm"]
"""The parts of one loop of an exchange: the speaker speaks, the listener reflects back,
the speaker confirms ("is that it?") or adds."""
EXCHANGE_PARTS: tuple[str, ...] = get_args(ExchangePartName)


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
    at: Annotated[list[TimedCue], Field(max_length=MAX_ITEMS)] = []
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

    title: Annotated[str, Field(min_length=1, max_length=500)]
    """The name of the book, handbook or page."""
    url: Annotated[str, Field(max_length=2000)] | None = None
    """Where to read it."""
    author: Annotated[str, Field(max_length=500)] | None = None
    """Who wrote or teaches it."""
    licence: Annotated[str, Field(max_length=200)] | None = None
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


MeetingRef = Annotated[int, Field(ge=1, le=100)] | Literal["first", "last"]
"""A meeting of a series: its number (1 is the first), `first` or `last`."""


def _meeting_list(value: Any) -> Any:
    # `meeting: last` is shorter to write than `meeting: [last]`.
    return value if isinstance(value, list) or value is None else [value]


_MeetingList = Annotated[list[MeetingRef], Field(max_length=MAX_ITEMS)]

Meetings = Annotated[
    _MeetingList,
    BeforeValidator(_meeting_list, json_schema_input_type=MeetingRef | _MeetingList),
    Field(min_length=1),
]
"""One meeting, or a list of them."""


class When(Model):
    """At which meetings of a series a step runs."""

    meeting: Meetings | None = None
    """Run only at these meetings: `last`, `first`, `3`, or a list like `[1, 2]`."""
    not_meeting: Meetings | None = None
    """Leave the step out at these meetings."""

    @model_validator(mode="after")
    def _something(self) -> When:
        if self.meeting is None and self.not_meeting is None:
            raise ValueError("`when` needs `meeting` or `not_meeting`")
        return self

    def matches(self, meeting: int, meetings: int | None) -> bool:
        """Whether the step runs at `meeting` (1-based) of a series of `meetings`."""

        def hit(refs: list[int | str]) -> bool:
            return any(
                ref == meeting
                or (ref == "first" and meeting == 1)
                or (ref == "last" and meetings is not None and meeting == meetings)
                for ref in refs
            )

        if self.meeting is not None and not hit(list(self.meeting)):
            return False
        return self.not_meeting is None or not hit(list(self.not_meeting))


class Series(Model):
    """The practice is one meeting of a series (a crew's six meetings, the last a
    retrospective), with one member in focus each meeting."""

    meetings: Annotated[int, Field(ge=1, le=100)]
    """How many meetings the series has."""
    focus: Literal["rotate", "none"] = "rotate"
    """`rotate`: one member is in focus each meeting, the next in seat order each time (or
    in the focus order chosen at setup); `none`: nobody is in focus."""
    focus_role: Ident = "focus"
    """The role the member in focus holds; steps use it (`lead`, `only`, `end_with`,
    `without`)."""
    focus_when: When | None = None
    """The meetings that have a focus (by default every one); the focus moves on only at
    these."""


class Addressee(Model):
    """Whom each speaker in a round addresses."""

    to: Literal["next-seat", "previous-seat", "role"]
    """`next-seat`: the next person clockwise; `previous-seat`: the one before; `role`: the
    holder of `role` (the case giver, the focus)."""
    role: Ident | None = None
    """With `to: role`, the role addressed."""
    text: Text | None = None
    """How the addressee is named to the circle: "the person on your left"."""
    speak: bool = False
    """Speak `text` at the start of every turn."""

    @model_validator(mode="after")
    def _role(self) -> Addressee:
        if self.to == "role" and self.role is None:
            raise ValueError("`to: role` needs `role`")
        if self.role is not None and self.to != "role":
            raise ValueError("`role` is used only with `to: role`")
        if self.speak and self.text is None:
            raise ValueError("`speak: true` needs a `text` to speak")
        return self


class StepBase(Model):
    """Fields every step has."""

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
    when: When | None = None
    """In a series: the meetings at which this step runs (`{meeting: last}`)."""


class ReadStep(StepBase):
    """Text read aloud or shown: a welcome, a reading, instructions."""

    kind: Literal["read"]
    text: Text
    """What is read."""
    duration: StepDuration | None = None
    """How long to stay on it; leave out to move on when the facilitator is ready."""
    stems: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
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


class OpenEnded(StepBase):
    """Fields of a step that may run without a fixed duration."""

    timebox: Duration | None = None
    """A soft time box: the `timebox_cue` sounds this long after the start, and the step goes
    on until the facilitator moves on."""
    timebox_cue: Cue = CueSpec(sound="chime")
    """The cue of the soft time box."""


class StickStep(OpenEnded):
    """Fields of the steps that pass a talking stick around (rounds and consent rounds)."""

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
    only: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Only holders of these roles speak in this round."""
    without: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Everyone speaks but the holders of these roles (`[focus]`: everyone but the focus)."""
    direction: Literal["clockwise", "counterclockwise"] = "clockwise"
    """Which way the stick travels around the circle."""
    turn: TurnSpec = TurnSpec()
    """Time per person and what happens when it runs out."""
    duration: StepDuration | None = None
    """A time box for the whole round: when it is up, the round ends (leave out to end
    after the laps)."""
    stems: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    """Sentence stems shown during the round."""
    bells: Bells = Bells()
    """Bells of the round (`halfway` and `warning` need a `duration`)."""

    @model_validator(mode="after")
    def _starter(self) -> StickStep:
        if self.start == "role" and self.start_role is None:
            raise ValueError("`start: role` needs `start_role`")
        if self.start_role is not None and self.start != "role":
            raise ValueError("`start_role` is used only with `start: role`")
        return self


class RoundStep(StickStep):
    """A round with a talking stick: one person speaks at a time."""

    kind: Literal["round"]
    prompt: Text | None = None
    """The question of the round."""
    prompts: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    """One prompt per lap, for rounds of several laps."""
    laps: Annotated[int, Field(ge=1, le=20)] | None = None
    """How many times the stick goes around (by default one, or one per prompt); with
    `until: all-pass`, the most laps there may be."""
    passing: Literal["to-end", "skip", "not-allowed"] = "to-end"
    """A pass sends the person to the end of the queue, skips them this lap, or is not offered."""
    until: Literal["laps", "all-pass"] = "laps"
    """End after the laps, or as soon as a whole lap passes (at most `laps` laps, or one per
    prompt, when given)."""
    addressee: Addressee | None = None
    """Whom each speaker addresses ("the person on your left")."""

    @model_validator(mode="after")
    def _laps(self) -> RoundStep:
        if self.prompts and self.laps is not None and self.laps != len(self.prompts):
            raise ValueError(
                f"`laps` is {self.laps} but {len(self.prompts)} `prompts` are given; "
                "give one prompt per lap"
            )
        return self

    @property
    def lap_count(self) -> int:
        """Number of laps (at least one)."""
        return self.laps or len(self.prompts) or 1

    @property
    def max_laps(self) -> int | None:
        """The cap on laps of an `until: all-pass` round, when the script gives one."""
        return self.laps or len(self.prompts) or None


class ConsentStep(StickStep):
    """A consent round (sociocracy): each person in turn gives a response; the round
    repeats after objections are integrated, until nobody objects."""

    kind: Literal["consent"]
    proposal: Text | None = None
    """The proposal, shown through the step (and spoken at its start)."""
    prompt: Text | None = None
    """The question each consent round asks ("Do you consent, or do you object?")."""
    responses: Annotated[list[Response], Field(min_length=2, max_length=len(RESPONSES))] = list(
        RESPONSES
    )
    """The responses people may give: consent, concern, stand-aside, objection."""
    max_rounds: Annotated[int, Field(ge=1, le=10)] = 3
    """How many consent rounds at most; with objections still standing after the last one,
    the decision is "no consent"."""

    @model_validator(mode="after")
    def _consent(self) -> ConsentStep:
        if self.order == "popcorn":
            raise ValueError("a consent round goes around the circle; not `order: popcorn`")
        if "consent" not in self.responses:
            raise ValueError("`responses` must offer `consent`")
        if len(set(self.responses)) != len(self.responses):
            raise ValueError("`responses` names a response twice")
        if self.turn.end == "hard":
            raise ValueError(
                "a consent turn ends with the person's response; `turn.end: hard` would move "
                "the stick on without one"
            )
        return self


def _stack_shorthand(value: Any) -> Any:
    # `stack: true` keeps a plain queue; `false` none at all.
    if value is True:
        return {}
    if value is False:
        return None
    return value


class StackSpec(Model):
    """A speaking queue: people ask to speak, and the floor goes to them in order."""

    kinds: Annotated[list[RequestKind], Field(min_length=1, max_length=len(REQUEST_KINDS))] = list(
        REQUEST_KINDS
    )
    """The kinds of request people may make; the queue serves them most urgent first: a point
    of `process`, a question to `clarify`, a `reply`, a `new-point`."""
    order: Literal["as-asked", "least-spoken"] = "as-asked"
    """Within one kind: in the order people asked, or who has spoken least so far first
    (a progressive stack)."""

    @model_validator(mode="after")
    def _kinds(self) -> StackSpec:
        if len(set(self.kinds)) != len(self.kinds):
            raise ValueError("`kinds` names a kind twice")
        return self


Stack = Annotated[
    StackSpec | None,
    BeforeValidator(_stack_shorthand, json_schema_input_type=bool | StackSpec),
]
"""A speaking queue: `true`, or a mapping with `kinds` and `order`."""


class DiscussionStep(OpenEnded):
    """Open conversation, with an optional speaking queue (taking stack)."""

    kind: Literal["discussion"]
    duration: StepDuration | None = None
    """How long the conversation lasts; leave out to end it when the facilitator moves on
    (the screen counts the time up)."""
    prompt: Text | None = None
    """What the conversation is about."""
    stack: Stack = None
    """Keep a queue of people who asked to speak (`true`, or kinds and an order)."""
    only: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Only holders of these roles take part."""
    without: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Everyone takes part but the holders of these roles (`[focus]`)."""
    stems: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    """Sentence stems shown on screen."""
    bells: Bells = Bells()
    """Bells during the conversation."""


class ExchangePart(Model):
    """One part of an exchange: what is shown, and how long it may take."""

    prompt: Text | None = None
    """What is shown during the part ("What did you hear?")."""
    stems: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    """Sentence stems for the part ("What I heard you say is...")."""
    time: Duration | None = None
    """Time for the part; leave out for an untimed part."""
    warning: Duration | None = None
    """Sound the exchange's `warning_cue` this long before the part's time is up."""
    speak: bool = False
    """Speak `prompt` when the part begins (off: the facilitator usually says it)."""

    @model_validator(mode="after")
    def _timing(self) -> ExchangePart:
        if self.warning is not None and self.time is None:
            raise ValueError("a part's `warning` needs a `time`")
        if self.warning is not None and self.time is not None and self.warning >= self.time:
            raise ValueError("the part's `warning` must come before its time is up")
        if self.speak and self.prompt is None:
            raise ValueError("`speak: true` needs a `prompt` to speak")
        return self


class ExchangeParts(Model):
    """The three parts of each loop of an exchange."""

    speak: ExchangePart = ExchangePart()
    """The speaker tells the listener."""
    reflect: ExchangePart = ExchangePart()
    """The listener reflects back what they heard."""
    confirm: ExchangePart = ExchangePart(prompt="Is that it?")
    """The speaker confirms, or adds what is missing (and the loop goes round again)."""


class ExchangeStep(OpenEnded):
    """A speaker addresses a listener, who reflects back until the speaker confirms; then the
    pair changes (Restorative Circles, the clearing model, an NVC dyad)."""

    kind: Literal["exchange"]
    prompt: Text | None = None
    """What the exchange is about, shown through the step (and spoken at its start)."""
    next_pair: Literal["listener-speaks", "around", "chosen"] = "listener-speaks"
    """How the pair changes: the listener speaks next (to whom they choose, by default the
    one they heard); everyone in turn around the circle, to the next seat; or the
    facilitator picks each speaker."""
    first: Ident | None = None
    """A role whose holder speaks first (by default the starter)."""
    listener: Ident | None = None
    """A role whose holder listens first (by default the next seat)."""
    pairs: Annotated[int, Field(ge=1, le=100)] | None = None
    """How many pairs in all (by default one per person taking part)."""
    max_loops: Annotated[int, Field(ge=1, le=20)] | None = None
    """The most times a listener reflects in one pair; then the speaker confirms or the pair
    changes."""
    only: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Only holders of these roles take part."""
    without: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Everyone takes part but the holders of these roles."""
    direction: Literal["clockwise", "counterclockwise"] = "clockwise"
    """Which way `next_pair: around` goes."""
    parts: ExchangeParts = ExchangeParts()
    """Prompts, stems and times for speaking, reflecting and confirming."""
    warning_cue: Cue = CueSpec(sound="warning")
    """The gentle cue before a part's time is up."""
    duration: StepDuration | None = None
    """A time box for the whole exchange: when it is up, the exchange ends."""
    stems: Annotated[list[Text], Field(max_length=MAX_ITEMS)] = []
    """Sentence stems shown through the step (each part may add its own)."""
    bells: Bells = Bells()
    """Bells of the exchange (`halfway` and `warning` need a `duration`)."""


class BreakoutStep(StepBase):
    """The circle splits into pairs, triads or small groups on one shared timer."""

    kind: Literal["breakout"]
    group_size: Annotated[int, Field(ge=2, le=12)]
    """People per group."""
    leftovers: Literal["balance", "join", "own-group"] = "balance"
    """`balance`: groups as even as possible (10 into fours: 4, 3, 3); `join`: people left
    over join other groups; `own-group`: they form a smaller group of their own."""
    shuffle: Literal["avoid-repeats", "random", "keep", "merge", "split"] = "avoid-repeats"
    """New groups avoiding earlier partners, fully random, the same as last time, earlier
    groups merged (pairs into fours), or earlier groups split (fours back into pairs)."""
    hosts: bool = False
    """Each group has a host, its first member, who stays at the table: in the next breakout
    with `hosts: true` the hosts stay and everyone else moves to new people (World Cafe)."""
    group_focus: Literal["none", "next", "same"] = "none"
    """One member of each group in focus (the client in Troika Consulting): `next` moves the
    focus to the next member of the same group each time, `same` keeps it."""
    duration: StepDuration
    """How long the groups meet."""
    prompt: Text | None = None
    """What the groups work on."""
    swap_every: Duration | None = None
    """Signal a swap of speaker inside each group at this interval."""
    turn_each: bool = False
    """Every member of each group gets a turn of the same length: the swap signals divide the
    duration by the size of the largest group."""
    swap_cue: Cue = CueSpec(sound="chime")
    """The signal to swap."""
    return_cue: Cue = CueSpec(sound="bowl")
    """The signal to come back to the whole circle (not rung when the next step is another
    breakout: people move straight on)."""
    bells: Bells = Bells()
    """Bells during the breakout."""

    @model_validator(mode="after")
    def _swaps(self) -> BreakoutStep:
        if self.turn_each and self.swap_every is not None:
            raise ValueError("give either `swap_every` or `turn_each`, not both")
        if self.hosts and self.shuffle in ("merge", "split"):
            raise ValueError(
                f"`hosts` keep their tables; `shuffle: {self.shuffle}` changes the tables"
            )
        return self


class ForEachStep(StepBase):
    """Run the inner steps once for each person, who is the focus (Case Clinic, Troika)."""

    kind: Literal["for-each"]
    as_: Annotated[Ident, Field(alias="as")] = "focus"
    """The role the current person takes inside the loop; inner steps refer to it."""
    order: Literal["circle", "random", "chosen"] = "circle"
    """Go around the circle in order, in a random order, or in the focus order chosen at
    setup (around the circle when none was chosen)."""
    only: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Only holders of these roles take the focus."""
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
    """The steps run for each person."""


class RepeatStep(StepBase):
    """Run steps again: inline steps, or earlier steps named by id."""

    kind: Literal["repeat"]
    times: Annotated[int, Field(ge=1, le=50)] = 1
    """How many times."""
    steps: Annotated[list[Step], Field(max_length=MAX_STEPS)] = []
    """Steps to repeat."""
    of: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
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
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
    """The steps in the block."""


Step = Annotated[
    ReadStep
    | SilenceStep
    | SitStep
    | RoundStep
    | ConsentStep
    | ExchangeStep
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
    voices: Annotated[dict[LangCode, VoiceSpec], Field(max_length=MAX_ITEMS)] = {}
    """How each language is spoken."""
    keeper_role: Ident | None = None
    """The role of the person keeping the circle (for `start: keeper-first`)."""
    roles: Annotated[list[Role], Field(max_length=MAX_ITEMS)] = []
    """Roles people take."""
    sounds: Annotated[dict[Ident, SoundDef], Field(max_length=MAX_ITEMS)] = {}
    """Extra named sounds, built-in or from WAV files beside the script."""
    guardian: GuardianSpec = GuardianSpec()
    """How a guardian pause sounds."""
    sources: Annotated[list[Source], Field(max_length=MAX_ITEMS)] = []
    """Where the practice comes from."""
    licence: Annotated[str, Field(max_length=200)] | None = None
    """The licence of this script's text."""
    authors: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=MAX_ITEMS)
    ] = []
    """Who wrote this script."""
    tags: Annotated[list[Ident], Field(max_length=MAX_ITEMS)] = []
    """Words to find the practice by."""
    series: Series | None = None
    """One meeting of a series: how many meetings, and who is in focus at each."""
    steps: Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
    """The steps, in order."""


ForEachStep.model_rebuild()
RepeatStep.model_rebuild()
GroupStep.model_rebuild()
Practice.model_rebuild()
