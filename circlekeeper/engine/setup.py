"""Setting a circle up for one session: seats, who starts, who hosts, who holds each role.

Every screen and command that starts a session (the setup screen, `run`, `rehearse`) calls
`plan_circle`; the session itself assigns nothing. The rules:

- Seats are the names exactly as given; they are never rotated.
- Meeting k of a circle is hosted by the k-th person in seat order, wrapping round; roles
  that `rotate` follow the same rotation (a role of two: the host and the next seat).
- `first` roles go to the first seats, `random` roles are drawn with the session's seed.
- `ask` roles are given at setup. One nobody was given is filled by default: in seat order
  from the host on, skipping people who already hold a role where possible. It is listed
  in `defaulted_roles`, so a screen can say so.
- A role given at setup overrides every rule (a facilitator can always choose).
- The starter, who holds the stick first in a `start: first` round, is the host unless
  someone else is chosen.
- A series (`series:` in the practice) has one member in focus each meeting that has a
  focus: everyone in the focus order takes it once, in that order, before anyone takes it
  a second time (`next_focus`). Who has been in focus is read from the circle's recorded
  meetings (`focus_history`); meetings not recorded (a new circle, a rehearsal ahead) are
  played forward by the same rule; with no records, a chosen order is taken by position,
  `order[meetings with a focus so far % len(order)]`, as before. So a member who leaves mid-series
  never makes the focus pass over the person due next. The focus order is the one chosen
  at setup; else it is seat order from the person after the meeting's host, so that nobody
  hosts their own focus (with nobody gone, that is seat order from the second seat, the
  focus one seat after the host). When the host would be their own focus (a chosen order,
  a focus given at setup, a circle of two) the plan warns. The focus holds the series'
  focus role.
- A saved circle remembers the focus order last chosen for it and brings it to each meeting
  (`carried_focus_order`): when its people change, a member who left is dropped from the
  order and a new member joins its end (in seat order), so the others keep their places.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from circlekeeper.i18n import msg, msg_n
from circlekeeper.script.model import Practice

Roles = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class CirclePlan:
    """Who is in the room and who does what, decided once before a session starts."""

    names: tuple[str, ...]
    """The people in seat order (clockwise), exactly as given."""
    starter: str
    """Who holds the stick first in a round that starts with the first seat."""
    roles: Roles
    """Every role of the practice and its holders (empty only in an empty circle)."""
    host: str
    """Who hosts this meeting: `names[meeting % len(names)]`."""
    meeting: int
    """How many meetings this circle has held before this one."""
    seed: int
    """Seed of random orders, groups, roles and jitter; the same seed gives the same session."""
    language: str
    """The language prompts are shown and spoken in."""
    defaulted_roles: tuple[str, ...] = ()
    """`ask` roles nobody was given, filled by the default rule."""
    warnings: tuple[str, ...] = field(default=())
    """Things worth telling the facilitator before starting, one sentence each."""
    meetings: int | None = None
    """How many meetings the series has (None: the practice is not a series)."""
    focus: str | None = None
    """Who is in focus at this meeting of a series."""
    focus_order: tuple[str, ...] = ()
    """The focus order chosen at setup, everyone in it (empty: none was chosen)."""

    @property
    def meeting_label(self) -> str:
        """ "meeting 3 of 6 · focus: Cy", "meeting 3" outside a series."""
        label = f"meeting {self.meeting + 1}"
        if self.meetings is not None:
            label += f" of {self.meetings}"
        if self.focus is not None:
            label += f" · focus: {self.focus}"
        return label


def focus_order_matters(practice: Practice) -> bool:
    """Whether a focus order chosen at setup changes anything: a series with a focus, or a
    for-each loop in the chosen order."""
    from circlekeeper.script.model import ForEachStep
    from circlekeeper.script.validate import iter_steps

    series = practice.series
    if series is not None and series.focus == "rotate":
        return True
    return any(
        isinstance(at.step, ForEachStep) and at.step.order == "chosen"
        for at in iter_steps(practice)
    )


def unknown_roles(practice: Practice, roles: Mapping[str, Sequence[str]]) -> str | None:
    """Why roles given on the command line (`--roles`) cannot be used, or None: each must
    be a role of the practice (or a series' focus role)."""
    known = [r.id for r in practice.roles]
    if practice.series is not None and practice.series.focus == "rotate":
        known.append(practice.series.focus_role)
    for role in roles:
        if role not in known:
            if not known:
                return msg(
                    "--roles names `{role}`, which is not a role of this practice (it has none)",
                    role=role,
                )
            return msg(
                "--roles names `{role}`, which is not a role of this practice ({roles})",
                role=role,
                roles=", ".join(known),
            )
    return None


def _check_names(people: Iterable[str]) -> tuple[str, ...]:
    names = tuple(people)
    if not names:
        raise ValueError(msg("a circle needs at least one person"))
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(msg("each person in the circle needs a name"))
        if name.casefold() in seen:
            raise ValueError(msg("each name in the circle must be different"))
        seen.add(name.casefold())
    return names


def _focus_order(order: Sequence[str] | None, names: tuple[str, ...]) -> tuple[str, ...]:
    """A chosen focus order, completed with everyone else in seat order (empty: none)."""
    if not order:
        return ()
    chosen = tuple(order)
    for name in chosen:
        if name not in names:
            raise ValueError(msg("{name} is in the focus order, but not in the circle", name=name))
    if len(set(chosen)) != len(chosen):
        raise ValueError(msg("the focus order names someone twice"))
    return chosen + tuple(n for n in names if n not in chosen)


def carried_focus_order(order: Sequence[str], names: Sequence[str]) -> tuple[str, ...]:
    """A remembered focus order, brought to a circle of `names`: people no longer in the
    circle dropped, newcomers added at the end in seat order, each spelt as the circle
    spells them (names match ignoring case). Empty when no order was remembered."""
    if not order:
        return ()
    spelled = {name.casefold(): name for name in names}
    kept = tuple(dict.fromkeys(spelled[p.casefold()] for p in order if p.casefold() in spelled))
    return kept + tuple(name for name in names if name not in kept)


def next_focus(order: Sequence[str], had: Iterable[str]) -> str:
    """Who takes the focus next: the first in `order` of those who have had it least often
    (`had`: each focus so far, names matching ignoring case; people not in `order` count
    for nothing). `ValueError` for an empty order."""
    if not order:
        raise ValueError(msg("a circle needs at least one person"))
    times = {name.casefold(): 0 for name in order}
    for name in had:
        key = name.casefold()
        if key in times:
            times[key] += 1
    fewest = min(times.values())
    return next(name for name in order if times[name.casefold()] == fewest)


def _series_focus(
    practice: Practice,
    meeting: int,
    chosen: tuple[str, ...],
    names: tuple[str, ...],
    history: Sequence[str | None] | None,
) -> tuple[str | None, int | None]:
    """The member in focus at `meeting` (0-based) of a series, and the series' length.

    The order is `chosen`, else seat order from the person after each meeting's host.
    `history` holds the focus each recorded meeting had (None: that meeting had none);
    meetings before this one that were not recorded are played forward by `next_focus`.
    """
    series = practice.series
    if series is None:
        return None, None
    if series.focus == "none":
        return None, series.meetings
    when = series.focus_when

    def has_focus(k: int) -> bool:
        return when is None or when.matches(k, series.meetings)

    def order_at(k: int) -> tuple[str, ...]:
        after_host = (k + 1) % len(names)
        return chosen or names[after_host:] + names[:after_host]

    if not has_focus(meeting + 1):
        return None, series.meetings
    recorded = list(history or ())[:meeting]
    had = [name for name in recorded if name is not None]
    # Only meetings that have a focus move it on.
    for k in range(len(recorded), meeting):
        if has_focus(k + 1):
            had.append(next_focus(order_at(k), had))
    return next_focus(order_at(meeting), had), series.meetings


def _ruled_role(
    assign: str, count: int, names: tuple[str, ...], host: int, rng: random.Random
) -> tuple[str, ...]:
    """Holders of a `first`, `rotate` or `random` role."""
    n = len(names)
    if assign == "first":
        return names[:count]
    if assign == "rotate":
        return tuple(names[(host + i) % n] for i in range(count))
    return tuple(rng.sample(names, count))


def _default_holders(
    count: int, names: tuple[str, ...], host: int, taken: set[str]
) -> tuple[str, ...]:
    """The default for an `ask` role: seat order from the host, free people first."""
    n = len(names)
    order = [names[(host + i) % n] for i in range(n)]
    free = [p for p in order if p not in taken]
    busy = [p for p in order if p in taken]
    return tuple((free + busy)[:count])


def plan_circle(
    practice: Practice,
    people: Sequence[str],
    *,
    starter: str | None = None,
    given_roles: Mapping[str, Sequence[str]] | None = None,
    meeting: int = 0,
    seed: int | None = None,
    language: str | None = None,
    focus_order: Sequence[str] | None = None,
    focus_history: Sequence[str | None] | None = None,
) -> CirclePlan:
    """Decide seats, starter, host, roles and a series' focus for one session; `ValueError`
    on a bad circle.

    `given_roles` (role id -> people) are the choices made at setup; people not in the
    circle are left out (with a warning). `seed` None draws one, once, here. `focus_order`
    is the order in which people take the focus (for-each loops with `order: chosen`, a
    series), chosen at setup. `focus_history` is who was in focus at each meeting the
    circle has recorded, oldest first (None for a meeting without a focus); None when
    there are no records.
    """
    names = _check_names(people)
    n = len(names)
    if meeting < 0:
        raise ValueError(msg("the meeting number cannot be negative"))
    if starter is not None and starter not in names:
        raise ValueError(msg("{name} starts, but is not in the circle", name=starter))
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    host = meeting % n
    warnings: list[str] = []
    size = practice.size
    if not size.min <= n <= size.max:
        if n < size.min:
            said = msg_n(
                "'{title}' is made for at least {least} people; this circle has {n} person.",
                "'{title}' is made for at least {least} people; this circle has {n} people.",
                n,
                title=practice.title,
                least=size.min,
            )
        else:
            said = msg_n(
                "'{title}' is made for at most {most} people; this circle has {n} person.",
                "'{title}' is made for at most {most} people; this circle has {n} people.",
                n,
                title=practice.title,
                most=size.max,
            )
        warnings.append(said)
    given = dict(given_roles or {})
    roles: Roles = {}
    asked: list[tuple[str, int]] = []
    for role in practice.roles:
        count = min(role.count, n)
        if role.id in given:
            chosen = [p for p in given[role.id] if p in names]
            strangers = [p for p in given[role.id] if p not in names]
            if strangers:
                warnings.append(
                    msg(
                        "{names} cannot hold the role '{role}': not in this circle.",
                        names=", ".join(strangers),
                        role=role.id,
                    )
                )
            if chosen:
                roles[role.id] = tuple(dict.fromkeys(chosen))[: role.count]
                continue
        if role.assign == "ask":
            asked.append((role.id, count))
            continue
        # Seeded per role: adding a role to a script does not reshuffle the others.
        rng = random.Random(f"{seed}:role:{role.id}")
        roles[role.id] = _ruled_role(role.assign, count, names, host, rng)
    defaulted: list[str] = []
    for role_id, count in asked:
        taken = {p for holders in roles.values() for p in holders}
        roles[role_id] = _default_holders(count, names, host, taken)
        defaulted.append(role_id)
    # Keep the practice's order of roles, whatever order they were decided in.
    ordered = {role.id: roles[role.id] for role in practice.roles}
    order = _focus_order(focus_order, names)
    focus, meetings = _series_focus(practice, meeting, order, names, focus_history)
    if meetings is not None and meeting >= meetings:
        warnings.append(
            msg(
                "'{title}' is a series of {count} meetings; this is meeting {number}.",
                title=practice.title,
                count=meetings,
                number=meeting + 1,
            )
        )
    series = practice.series
    if series is not None and series.focus == "rotate":
        given_focus = [p for p in given.get(series.focus_role, ()) if p in names]
        if given_focus:
            focus = given_focus[0]
        ordered[series.focus_role] = (focus,) if focus is not None else ()
    if focus is not None and focus == names[host]:
        warnings.append(
            msg(
                "{name} hosts this meeting and is also its focus; "
                "another focus order, or another host, keeps the two apart.",
                name=focus,
            )
        )
    return CirclePlan(
        names=names,
        starter=starter if starter is not None else names[host],
        roles=ordered,
        host=names[host],
        meeting=meeting,
        seed=seed,
        language=language or practice.language,
        defaulted_roles=tuple(defaulted),
        warnings=tuple(warnings),
        meetings=meetings,
        focus=focus,
        focus_order=order,
    )
