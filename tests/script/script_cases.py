"""Bad practice scripts: each with the exact line and column its error must name."""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent

HEAD = "title: T\nkind: other\n"
"""Lines 1-2 of most cases; steps start on line 3."""


@dataclass(frozen=True)
class Bad:
    """A script, and where (1-based) and what its first error must be."""

    id: str
    text: str | bytes
    line: int
    col: int
    fragment: str


def _s(body: str) -> str:
    return HEAD + dedent(body).lstrip("\n")


BAD: list[Bad] = [
    # Before parsing ---------------------------------------------------------------------
    Bad("empty", "", 1, 1, "the file is empty"),
    Bad("only-comments", "# a comment\n\n   \n# another\n", 1, 1, "the file is empty"),
    Bad("nul-byte", b"title: T\nkind: \x00other\n", 2, 7, "NUL byte"),
    Bad("not-utf8", b"title: T\nkind: other\nsummary: caf\xe9\n", 3, 13, "not UTF-8"),
    Bad("too-big", "title: T\nkind: other\n" + "# padding\n" * 110_000, 1, 1, "at most 256 KiB"),
    Bad("control-char", "title: T\x07\nkind: other\n", 1, 9, "control character"),
    # YAML syntax ------------------------------------------------------------------------
    Bad("tab-indent", _s("steps:\n\t- kind: read\n"), 4, 1, "tab used for indentation"),
    Bad(
        "tab-in-step",
        _s("steps:\n  - kind: read\n\t  text: hi\n"),
        5,
        1,
        "tab used for indentation",
    ),
    Bad(
        "unterminated-single-quote",
        _s("summary: 'it never ends\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        10,
        "unterminated quote",
    ),
    Bad(
        "unterminated-double-quote",
        _s('steps:\n  - kind: read\n    text: "hello\n'),
        5,
        11,
        "unterminated quote",
    ),
    Bad(
        "duplicate-top-key",
        "title: T\nkind: other\ntitle: U\nsteps:\n  - kind: read\n    text: hi\n",
        3,
        1,
        "duplicate key `title` (first on line 1)",
    ),
    Bad(
        "duplicate-step-key",
        _s("steps:\n  - kind: read\n    text: hi\n    text: ho\n"),
        6,
        5,
        "duplicate key `text` (first on line 5)",
    ),
    Bad(
        "python-tag",
        _s("steps:\n  - kind: read\n    text: !!python/object/apply:os.system ['true']\n"),
        5,
        11,
        "tags are not allowed",
    ),
    Bad("custom-tag", _s("summary: !foo bar\nsteps: []\n"), 3, 10, "tags are not allowed"),
    Bad(
        "anchor",
        _s("summary: &s words\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        10,
        "anchors (`&s`) are not allowed",
    ),
    Bad("yaml-11-directive", "%YAML 1.1\n---\ntitle: T\n", 1, 1, "directives"),
    Bad(
        "two-documents",
        "title: T\nkind: other\n---\ntitle: U\n",
        3,
        1,
        "a second YAML document",
    ),
    Bad("colon-in-text", _s("summary: Note: this breaks\n"), 3, 14, "unexpected `:`"),
    Bad("unclosed-flow-list", _s("tags: [a, b\nsteps: []\n"), 3, 7, "never closed with `]`"),
    Bad("bad-indent", "title: T\n  kind: other\nsteps: x\n", 2, 7, "unexpected `:`"),
    Bad("deep-nesting", "title: " + "[" * 60 + "]" * 60 + "\n", 1, 47, "nested more than"),
    # Shape ------------------------------------------------------------------------------
    Bad("top-level-list", "- kind: read\n  text: hi\n", 1, 1, "must be a mapping"),
    Bad("top-level-scalar", "just some words\n", 1, 1, "must be a mapping"),
    Bad("complex-key", _s("? [a, b]\n: 1\nsteps: []\n"), 3, 3, "a key must be a plain word"),
    # Pydantic: fields and types ---------------------------------------------------------
    Bad(
        "missing-title",
        "kind: other\nsteps:\n  - kind: read\n    text: hi\n",
        1,
        1,
        "needs `title`",
    ),
    Bad(
        "unknown-top-field",
        "title: T\nkind: other\nsumary: x\nsteps:\n  - kind: read\n    text: hi\n",
        3,
        1,
        "unknown field `sumary` in the practice; did you mean `summary`?",
    ),
    Bad(
        "unknown-step-field",
        _s("steps:\n  - kind: round\n    promt: How are you?\n"),
        5,
        5,
        "unknown field `promt` in a round step; did you mean `prompt`?",
    ),
    Bad(
        "unknown-turn-field",
        _s("steps:\n  - kind: round\n    turn:\n      tme: 2m\n"),
        6,
        7,
        "did you mean `time`?",
    ),
    Bad(
        "unknown-kind",
        _s("steps:\n  - kind: rond\n    prompt: hi\n"),
        4,
        11,
        "unknown step kind `rond`; did you mean `round`?",
    ),
    Bad("missing-kind", _s("steps:\n  - text: hi\n"), 4, 5, "a step needs a `kind`"),
    Bad(
        "step-is-text",
        _s("steps:\n  - welcome everyone\n"),
        4,
        5,
        "must be a mapping with a `kind`",
    ),
    Bad("steps-not-list", _s("steps:\n  kind: read\n"), 4, 3, "expected a list"),
    Bad("steps-empty", _s("steps: []\n"), 3, 8, "`steps` needs at least 1 item"),
    Bad(
        "speak-off",
        _s("steps:\n  - kind: read\n    text: hi\n    speak: off\n"),
        6,
        12,
        "`speak` must be true or false, not 'off'",
    ),
    Bad(
        "text-number",
        _s("steps:\n  - kind: read\n    text: 42\n"),
        5,
        11,
        "`text`: expected text",
    ),
    Bad("text-empty", _s("steps:\n  - kind: read\n    text:\n"), 5, 5, "`text` is empty"),
    Bad(
        "title-blank",
        "title: ''\nkind: other\nsteps:\n  - kind: read\n    text: hi\n",
        1,
        8,
        "`title` must not be empty",
    ),
    Bad(
        "strikes-zero",
        _s(
            "steps:\n  - kind: sit\n    duration: 10m\n    bells:\n"
            "      start: {sound: bowl, strikes: 0}\n"
        ),
        7,
        37,
        "`bells.start.strikes` must be at least 1",
    ),
    Bad(
        "strikes-quoted",
        _s(
            "steps:\n  - kind: sit\n    duration: 10m\n    bells:\n"
            "      start: {sound: bowl, strikes: '3'}\n"
        ),
        7,
        37,
        "must be a whole number, not '3'",
    ),
    Bad(
        "volume-too-loud",
        _s("sounds:\n  ding: {builtin: chime, volume: 2}\nsteps:\n  - kind: read\n    text: hi\n"),
        4,
        34,
        "`sounds.ding.volume` must be at most 1",
    ),
    Bad(
        "bad-cue-shorthand",
        _s("steps:\n  - kind: sit\n    duration: 10m\n    bells:\n      start: bowl xx\n"),
        7,
        14,
        "write a cue as NAME or NAME xN",
    ),
    Bad(
        "order-typo",
        _s("steps:\n  - kind: round\n    order: fixd\n"),
        5,
        12,
        "did you mean `fixed`?",
    ),
    Bad(
        "kind-typo",
        "title: T\nkind: chekin\nsteps:\n  - kind: read\n    text: hi\n",
        2,
        7,
        "did you mean `check-in`?",
    ),
    Bad(
        "format-2",
        "format: 2\ntitle: T\nkind: other\nsteps:\n  - kind: read\n    text: hi\n",
        1,
        9,
        "`format`",
    ),
    Bad(
        "role-id-uppercase",
        _s("roles:\n  - id: Host\n    name: Host\nsteps:\n  - kind: read\n    text: hi\n"),
        4,
        9,
        "'Host' is not a valid name",
    ),
    Bad(
        "language-word",
        _s("language: english\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        11,
        "not a language code",
    ),
    Bad(
        "voice-key-uppercase",
        _s("voices:\n  EN: {rate: 150}\nsteps:\n  - kind: read\n    text: hi\n"),
        4,
        3,
        "'EN' is not a language code",
    ),
    Bad(
        "sound-file-folder",
        _s("sounds:\n  ding: {file: ../ding.wav}\nsteps:\n  - kind: read\n    text: hi\n"),
        4,
        16,
        "must be the name of a .wav file",
    ),
    Bad(
        "laps-vs-prompts",
        _s("steps:\n  - kind: round\n    laps: 3\n    prompts: [a, b]\n"),
        4,
        5,
        "`laps` is 3 but 2 `prompts`",
    ),
    Bad(
        "time-and-budget",
        _s("steps:\n  - kind: round\n    turn:\n      time: 2m\n      budget: 10m\n"),
        6,
        7,
        "`turn`: give either `time` or `budget`",
    ),
    Bad(
        "turn-warning-too-late",
        _s("steps:\n  - kind: round\n    turn: {time: 1m, warning: 2m}\n"),
        5,
        11,
        "the turn `warning` must come before the turn ends",
    ),
    # Durations --------------------------------------------------------------------------
    Bad(
        "duration-2x",
        _s("steps:\n  - kind: round\n    turn:\n      time: 2x\n"),
        6,
        13,
        "`turn.time`: '2x' is not a duration; write it like 90s, 2m, 2m30s or 1h15m",
    ),
    Bad(
        "duration-no-unit",
        _s("steps:\n  - kind: silence\n    duration: 90\n"),
        5,
        15,
        "a duration is written with a unit",
    ),
    Bad("duration-zero", _s("steps:\n  - kind: silence\n    duration: 0s\n"), 5, 15, "is zero"),
    Bad(
        "duration-negative",
        _s("steps:\n  - kind: silence\n    duration: -5m\n"),
        5,
        15,
        "'-5m' is not a duration",
    ),
    Bad(
        "duration-absurd",
        _s("steps:\n  - kind: sit\n    duration: 30h\n"),
        5,
        15,
        "longer than 24h",
    ),
    Bad(
        "scaled-duration-bad",
        _s("steps:\n  - kind: discussion\n    duration:\n      per_person: lots\n"),
        6,
        19,
        "`duration.per_person`: 'lots' is not a duration",
    ),
    Bad(
        "duration-list",
        _s("steps:\n  - kind: silence\n    duration: [1m]\n"),
        5,
        15,
        "`duration`",
    ),
    # Semantic ---------------------------------------------------------------------------
    Bad(
        "lead-unknown-role",
        _s(
            "roles:\n  - {id: host, name: Host}\nsteps:\n  - kind: read\n    text: hi\n"
            "    lead: hots\n"
        ),
        8,
        11,
        "no role named `hots`; did you mean `host`?",
    ),
    Bad(
        "lead-no-roles",
        _s("steps:\n  - kind: read\n    text: hi\n    lead: host\n"),
        6,
        11,
        "define it under `roles`",
    ),
    Bad(
        "start-role-unknown",
        _s("steps:\n  - kind: round\n    start: role\n    start_role: scribe\n"),
        6,
        17,
        "`start_role`: no role named `scribe`",
    ),
    Bad(
        "end-with-outside-loop",
        _s(
            """
            steps:
              - kind: for-each
                as: focus
                steps:
                  - kind: round
                    end_with: focus
              - kind: round
                end_with: focus
            """
        ),
        10,
        15,
        "`end_with`: no role named `focus`",
    ),
    Bad(
        "only-unknown",
        _s(
            "roles:\n  - {id: coach, name: Coach}\nsteps:\n  - kind: round\n"
            "    only: [coach, coaches]\n"
        ),
        7,
        19,
        "no role named `coaches`; did you mean `coach`?",
    ),
    Bad(
        "guardian-role-unknown",
        _s("guardian: {role: guardian}\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        18,
        "`guardian.role`",
    ),
    Bad(
        "keeper-role-unknown",
        _s("keeper_role: host\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        14,
        "`keeper_role`",
    ),
    Bad(
        "keeper-first-without-keeper",
        _s("steps:\n  - kind: round\n    start: keeper-first\n"),
        5,
        12,
        "needs `keeper_role`",
    ),
    Bad(
        "duplicate-role",
        _s(
            "roles:\n  - {id: host, name: Host}\n  - {id: host, name: Other}\nsteps:\n"
            "  - kind: read\n    text: hi\n"
        ),
        5,
        10,
        "role `host` is defined twice (first on line 4)",
    ),
    Bad(
        "unknown-sound-shorthand",
        _s("steps:\n  - kind: sit\n    duration: 20m\n    bells:\n      start: bwol x3\n"),
        7,
        14,
        "no sound named `bwol`; did you mean `bowl`?",
    ),
    Bad(
        "unknown-sound-mapping",
        _s(
            """
            steps:
              - kind: sit
                duration: 20m
                bells:
                  at:
                    - {at: 0s, sound: bowl}
                    - {at: 10m, sound: gongg}
            """
        ),
        9,
        28,
        "no sound named `gongg`; did you mean `gong`?",
    ),
    Bad(
        "duplicate-step-id",
        _s(
            "steps:\n  - kind: read\n    id: intro\n    text: hi\n  - kind: read\n    id: intro\n"
            "    text: ho\n"
        ),
        8,
        9,
        "step id `intro` is used twice (first on line 5)",
    ),
    Bad(
        "repeat-unknown",
        _s("steps:\n  - kind: round\n    id: consent\n  - kind: repeat\n    of: [consnet]\n"),
        7,
        10,
        "no step with id `consnet`; did you mean `consent`?",
    ),
    Bad(
        "repeat-later",
        _s("steps:\n  - kind: repeat\n    of: [consent]\n  - kind: round\n    id: consent\n"),
        5,
        10,
        "comes later",
    ),
    Bad(
        "repeat-itself",
        _s(
            "steps:\n  - kind: group\n    id: block\n    steps:\n      - kind: repeat\n"
            "        of: [block]\n"
        ),
        8,
        14,
        "which contains it",
    ),
    Bad(
        "repeat-both",
        _s(
            "steps:\n  - kind: round\n    id: a\n  - kind: repeat\n    of: [a]\n    steps:\n"
            "      - kind: round\n"
        ),
        6,
        5,
        "either `steps` or `of`",
    ),
    Bad(
        "sound-file-missing",
        _s("sounds:\n  ding: {file: ding.wav}\nsteps:\n  - kind: read\n    text: hi\n"),
        4,
        16,
        "sound file `ding.wav` not found",
    ),
    Bad(
        "bell-after-end",
        _s(
            "steps:\n  - kind: sit\n    duration: 20m\n    bells:\n      at:\n        - {at: 25m}\n"
        ),
        8,
        16,
        "a bell at 25m falls after the end of the step (20m)",
    ),
    Bad(
        "warning-too-long",
        _s("steps:\n  - kind: silence\n    duration: 1m\n    bells: {warning: 2m}\n"),
        6,
        22,
        "`bells.warning` (2m) must be shorter than the step (1m)",
    ),
    Bad(
        "interval-too-long",
        _s("steps:\n  - kind: sit\n    duration: 10m\n    bells:\n      interval: {every: 15m}\n"),
        7,
        25,
        "would never sound",
    ),
    Bad(
        "halfway-untimed",
        _s("steps:\n  - kind: read\n    text: hi\n    bells: {halfway: chime}\n"),
        6,
        22,
        "needs a `duration`",
    ),
    Bad(
        "unknown-language",
        _s("language: xx\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        11,
        "`xx` is not a known language code",
    ),
    Bad(
        "translation-without-default",
        _s("steps:\n  - kind: read\n    text:\n      de: Hallo\n      fr: Salut\n"),
        6,
        7,
        "this text has no `en` version",
    ),
    Bad(
        "group-bigger-than-circle",
        _s(
            "size: {min: 2, max: 4}\nsteps:\n  - kind: breakout\n    group_size: 5\n"
            "    duration: 5m\n"
        ),
        6,
        17,
        "`group_size` is 5 but the practice's `size` allows at most 4 people",
    ),
    Bad(
        "size-min-above-max",
        _s("size: {min: 8, max: 4}\nsteps:\n  - kind: read\n    text: hi\n"),
        3,
        7,
        "`size`: `min` is larger than `max`",
    ),
    # Found after a first review of the messages --------------------------------------------
    Bad(
        "duplicate-key-in-flow-mapping",
        _s("steps:\n  - {kind: read, text: hi, text: ho}\n"),
        4,
        28,
        "duplicate key `text` (first on line 4)",
    ),
    Bad(
        "quote-closed-much-later",
        _s("summary: 'it never ends\nsteps:\n  - kind: read\n    text: 'x'\n"),
        3,
        10,
        "the quoted text that starts here runs on to line 6",
    ),
    Bad("empty-step", _s("steps:\n  -\n"), 4, 4, "an empty step"),
    Bad("empty-kind", _s("steps:\n  - kind:\n"), 4, 5, "a step needs a `kind`"),
    Bad(
        "empty-duration",
        _s("steps:\n  - kind: sit\n    duration:\n"),
        5,
        5,
        "`duration` is empty; expected a duration",
    ),
    Bad(
        "repeat-nothing",
        _s("steps:\n  - kind: repeat\n    times: 2\n"),
        4,
        5,
        "`repeat` needs `steps` to repeat, or `of`",
    ),
    Bad(
        "for-each-python-alias",
        _s(
            "steps:\n  - kind: for-each\n    as_: client\n    steps:\n      - kind: silence\n"
            "        duration: 1m\n"
        ),
        5,
        5,
        "unknown field `as_` in a for-each step; did you mean `as`?",
    ),
    Bad(
        "format-quoted",
        'format: "1"\ntitle: T\nkind: other\nsteps:\n  - kind: read\n    text: hi\n',
        1,
        9,
        "`format`: write 1 without quotes",
    ),
    Bad(
        "kind-as-list",
        "title: T\nkind: [other]\nsteps:\n  - kind: read\n    text: hi\n",
        2,
        7,
        "`kind`: a list is not one of: check-in",
    ),
    # Settings that could never take effect ----------------------------------------------
    Bad(
        "start-with-popcorn",
        _s("steps:\n  - kind: round\n    order: popcorn\n    start: random\n"),
        6,
        5,
        "`start` has no effect with `order: popcorn`: the facilitator picks first",
    ),
    Bad(
        "start-with-quietest-first",
        _s("steps:\n  - kind: round\n    order: quietest-first\n    start: rotate-per-lap\n"),
        6,
        5,
        "the quietest speaks first",
    ),
    Bad(
        "all-pass-without-passing",
        _s("steps:\n  - kind: round\n    until: all-pass\n    passing: not-allowed\n"),
        5,
        12,
        "`until: all-pass` needs passing",
    ),
    Bad(
        "warning-on-an-untimed-round",
        _s("steps:\n  - kind: round\n    bells: {warning: 1m}\n"),
        5,
        22,
        "`bells.warning` needs a `duration` on the step",
    ),
    Bad(
        "halfway-on-an-untimed-round",
        _s("steps:\n  - kind: round\n    bells:\n      halfway: chime\n"),
        6,
        16,
        "`bells.halfway` needs a `duration`",
    ),
    Bad(
        "round-warning-longer-than-its-box",
        _s("steps:\n  - kind: round\n    duration: 5m\n    bells: {warning: 6m}\n"),
        6,
        22,
        "`bells.warning` (6m) must be shorter than the step (5m)",
    ),
    Bad(
        "warning-cue-without-warning",
        _s("steps:\n  - kind: silence\n    duration: 5m\n    bells: {warning_cue: gong}\n"),
        6,
        13,
        "`bells.warning_cue` needs a `bells.warning`",
    ),
    Bad(
        "turn-end-without-time",
        _s("steps:\n  - kind: round\n    turn: {end: hard}\n"),
        5,
        12,
        "`turn.end` needs a turn `time` or `budget`",
    ),
    Bad(
        "turn-warning-cue-without-warning",
        _s("steps:\n  - kind: round\n    turn: {time: 1m, warning_cue: chime}\n"),
        5,
        22,
        "`turn.warning_cue` needs a `turn.warning`",
    ),
    Bad(
        "swap-cue-without-swaps",
        _s("steps:\n  - kind: breakout\n    group_size: 2\n    duration: 5m\n    swap_cue: gong\n"),
        7,
        5,
        "`swap_cue` needs `swap_every` or `turn_each`",
    ),
    Bad(
        "merge-without-earlier-groups",
        _s("steps:\n  - kind: breakout\n    group_size: 4\n    duration: 5m\n    shuffle: merge\n"),
        7,
        14,
        "`shuffle: merge` needs an earlier breakout whose groups it merges",
    ),
    Bad(
        "same-focus-without-earlier-groups",
        _s(
            "steps:\n  - kind: breakout\n    group_size: 3\n    duration: 5m\n"
            "    group_focus: same\n"
        ),
        7,
        18,
        "`group_focus: same` needs an earlier breakout",
    ),
    Bad(
        "timebox-after-the-end",
        _s("steps:\n  - kind: discussion\n    duration: 10m\n    timebox: 10m\n"),
        6,
        14,
        "a soft `timebox` of 10m never sounds in a step that ends after 10m",
    ),
    Bad(
        "timebox-cue-without-timebox",
        _s("steps:\n  - kind: discussion\n    timebox_cue: gong\n"),
        5,
        5,
        "`timebox_cue` needs a `timebox`",
    ),
    Bad(
        "direction-without-around",
        _s("steps:\n  - kind: exchange\n    direction: counterclockwise\n"),
        5,
        5,
        "`direction` is used only with `next_pair: around`",
    ),
    Bad(
        "consent-popcorn",
        _s("steps:\n  - kind: consent\n    order: popcorn\n"),
        4,
        5,
        "a consent round goes around the circle",
    ),
    Bad(
        "consent-hard-end",
        _s("steps:\n  - kind: consent\n    turn: {time: 1m, end: hard}\n"),
        4,
        5,
        "a consent turn ends with the person's response",
    ),
    Bad(
        "unknown-response",
        _s("steps:\n  - kind: consent\n    responses: [consent, block]\n"),
        5,
        26,
        "'block' is not one of: consent, concern, stand-aside, objection",
    ),
    Bad(
        "unknown-request-kind",
        _s("steps:\n  - kind: discussion\n    stack: {kinds: [reply, point-of-order]}\n"),
        5,
        28,
        "'point-of-order' is not one of: process, clarify, reply, new-point",
    ),
    Bad(
        "addressee-role-unknown",
        _s("steps:\n  - kind: round\n    addressee: {to: role, role: giver}\n"),
        5,
        33,
        "no role named `giver`",
    ),
    Bad(
        "part-warning-without-time",
        _s("steps:\n  - kind: exchange\n    parts:\n      reflect: {warning: 10s}\n"),
        6,
        16,
        "a part's `warning` needs a `time`",
    ),
    Bad(
        "when-last-without-series",
        _s("steps:\n  - kind: read\n    text: hi\n    when: {meeting: last}\n"),
        6,
        21,
        "`last` needs a `series`",
    ),
    Bad(
        "when-past-the-series",
        "title: T\nkind: other\nseries: {meetings: 6}\nsteps:\n  - kind: read\n    text: hi\n"
        "    when: {meeting: [1, 7]}\n",
        7,
        25,
        "meeting 7 never comes: the series has 6 meetings",
    ),
    Bad(
        "series-focus-role-defined",
        "title: T\nkind: other\nseries: {meetings: 6}\nroles:\n  - {id: focus, name: F}\n"
        "steps:\n  - kind: read\n    text: hi\n",
        3,
        9,
        "the series' focus role `focus` is also defined under `roles`",
    ),
    Bad(
        "series-focus-role-unknown-in-a-step",
        "title: T\nkind: other\nseries: {meetings: 6, focus: none}\nsteps:\n  - kind: round\n"
        "    only: [focus]\n",
        6,
        12,
        "no role named `focus`",
    ),
]
