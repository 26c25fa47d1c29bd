"""Breakouts: group sizes, leftovers, shuffles, swaps and the return cue."""

from __future__ import annotations

import itertools
from collections import Counter

from circlekeeper.engine.events import BellDue, Event, GroupsFormed, StepEnded, SwapDue
from circlekeeper.engine.groups import chunk, merge

from .helpers import T0, of, session

SIX = ("A", "B", "C", "D", "E", "F")


def breakout(**fields: object) -> dict[str, object]:
    return {"kind": "breakout", "group_size": 2, "duration": "6m", **fields}


def groups_of(events: list[Event]) -> list[tuple[tuple[str, ...], ...]]:
    return [g.groups for g in of(events, GroupsFormed)]


def test_chunk_leftovers_join_or_form_their_own_group() -> None:
    people = list("ABCDEFG")
    assert [len(g) for g in chunk(people, 3, "join")] == [4, 3]
    own = chunk(list("ABCDEFGH"), 3, "own-group")
    assert [len(g) for g in own] == [3, 3, 2]
    # A single leftover never breaks out alone.
    assert [len(g) for g in chunk(people, 3, "own-group")] == [4, 3]
    assert chunk(["A", "B"], 3, "join") == (("A", "B"),)


def test_every_person_is_in_exactly_one_group() -> None:
    s = session(breakout(group_size=3, leftovers="own-group"), names=tuple("ABCDEFGH"))
    groups = groups_of(s.start(T0))[0]
    assert sorted(p for g in groups for p in g) == list("ABCDEFGH")
    assert sorted(len(g) for g in groups) == [2, 3, 3]
    assert s.snapshot(T0).groups == groups


def test_avoid_repeats_finds_new_partners_each_time() -> None:
    s = session(*[breakout() for _ in range(5)], names=SIX, seed=11)
    events = s.start(T0)
    for t in range(1, 6):
        events += s.advance(T0 + (360.0 * t))
    rounds = groups_of(events)
    assert len(rounds) == 5
    met: Counter[frozenset[str]] = Counter()
    for groups in rounds:
        for g in groups:
            met[frozenset(g)] += 1
    # Six people have fifteen pairs: five rounds of three pairs can all be new.
    assert max(met.values()) == 1


def test_shuffles_are_deterministic_for_a_seed() -> None:
    steps = [breakout(shuffle="random"), breakout(shuffle="avoid-repeats")]
    one = session(*steps, names=SIX, seed=2)
    two = session(*steps, names=SIX, seed=2)
    a = one.start(T0) + one.advance(T0 + 720.0)
    b = two.start(T0) + two.advance(T0 + 720.0)
    assert groups_of(a) == groups_of(b)


def test_keep_reuses_the_last_groups() -> None:
    s = session(breakout(), breakout(shuffle="keep"), names=SIX)
    events = s.start(T0) + s.advance(T0 + 720.0)
    first, second = groups_of(events)
    assert first == second


def test_merge_turns_pairs_into_fours() -> None:
    s = session(
        breakout(), breakout(group_size=4, shuffle="merge"), names=tuple("ABCDEFGH"), seed=4
    )
    events = s.start(T0) + s.advance(T0 + 720.0)
    pairs, fours = groups_of(events)
    assert len(fours) == 2
    for four in fours:
        assert len(four) == 4
        inside = [p for p in pairs if set(p) <= set(four)]
        assert len(inside) == 2
    assert merge((("A", "B"), ("C", "D"), ("E", "F")), 4, "join") == (
        ("A", "B", "C", "D", "E", "F"),
    )


def test_swap_signals_and_return_cue_on_one_timer() -> None:
    s = session(breakout(swap_every="2m", swap_cue="chime", return_cue="gong x2"), names=SIX)
    events = s.start(T0) + s.advance(T0 + 1000.0)
    assert [(e.t, e.swap) for e in of(events, SwapDue)] == [(120.0, 1), (240.0, 2)]
    bells = [(e.t, e.sound, e.reason) for e in of(events, BellDue)]
    assert bells == [(120.0, "chime", "swap"), (240.0, "chime", "swap"), (360.0, "gong", "return")]
    assert of(events, StepEnded)[0].t == 360.0


def test_return_cue_sounds_when_ended_early() -> None:
    s = session(breakout(), names=SIX)
    s.start(T0)
    events = s.next(T0 + 100.0)
    assert [(e.t, e.reason) for e in of(events, BellDue)] == [(100.0, "return")]


def test_circle_of_one_breaks_out_alone() -> None:
    s = session(breakout(), names=("Solo",))
    assert groups_of(s.start(T0)) == [(("Solo",),)]


def test_avoid_repeats_beats_random_on_repeat_partners() -> None:
    """Across a series of reshuffles, avoid-repeats meets fewer old partners than chance."""
    people = tuple("ABCDEFGHIJ")

    def repeat_pairs(shuffle: str) -> int:
        s = session(*[breakout(shuffle=shuffle) for _ in range(6)], names=people, seed=9)
        events = s.start(T0) + s.advance(T0 + (6 * 360.0))
        met: Counter[frozenset[str]] = Counter()
        for groups in groups_of(events):
            for g in groups:
                for pair in itertools.combinations(g, 2):
                    met[frozenset(pair)] += 1
        return sum(c - 1 for c in met.values() if c > 1)

    assert repeat_pairs("avoid-repeats") == 0
    assert repeat_pairs("avoid-repeats") <= repeat_pairs("random")


def test_improve_swaps_people_away_from_old_partners() -> None:
    from circlekeeper.engine.groups import improve, repeats

    met: Counter[frozenset[str]] = Counter({frozenset("AB"): 1, frozenset("CD"): 1})
    groups = (("A", "B"), ("C", "D"))
    better = improve(groups, met)
    assert repeats(better, met) == 0
    assert sorted(len(g) for g in better) == [2, 2]
    assert sorted(p for g in better for p in g) == ["A", "B", "C", "D"]


def test_balanced_groups() -> None:
    from circlekeeper.engine.groups import balanced

    def sizes(n: int, size: int) -> list[int]:
        return [len(g) for g in balanced([str(i) for i in range(n)], size)]

    assert sizes(10, 4) == [4, 3, 3]
    assert sizes(11, 4) == [4, 4, 3]
    assert sizes(6, 4) == [3, 3]
    assert sizes(5, 4) == [5]  # a pair would be too small for fours
    assert sizes(7, 2) == [3, 2, 2]  # nobody alone
    assert sizes(9, 3) == [3, 3, 3]
    assert sizes(3, 2) == [3]


def test_balance_is_the_default() -> None:
    s = session(breakout(group_size=4), names=tuple("ABCDEFGHIJ"))
    assert sorted(len(g) for g in groups_of(s.start(T0))[0]) == [3, 3, 4]


def test_groups_split_back() -> None:
    s = session(
        breakout(),
        breakout(group_size=4, shuffle="merge"),
        breakout(shuffle="split"),
        names=tuple("ABCDEFGH"),
    )
    events = s.start(T0) + s.advance(T0 + 1080.0)
    pairs, fours, again = groups_of(events)
    assert sorted(map(sorted, again)) == sorted(map(sorted, pairs))
    assert len(fours) == 2


def test_no_return_signal_when_people_move_straight_on() -> None:
    s = session(
        breakout(return_cue="gong"),
        breakout(group_size=4, shuffle="merge", return_cue="gong"),
        {"kind": "read", "text": "x"},
        names=SIX,
    )
    events = s.start(T0) + s.advance(T0 + 800.0)
    assert [(e.t, e.reason) for e in of(events, BellDue)] == [(720.0, "return")]


def test_hosts_stay_at_their_tables_and_the_others_move_on() -> None:
    people = tuple("ABCDEFGHIJKL")
    s = session(*[breakout(group_size=4, hosts=True) for _ in range(3)], names=people, seed=5)
    events = s.start(T0) + s.advance(T0 + 1080.0)
    formed = of(events, GroupsFormed)
    hosts = formed[0].hosts
    assert len(hosts) == 3 and all(f.hosts == hosts for f in formed)
    tables: dict[str, list[set[str]]] = {h: [] for h in hosts}
    for f in formed:
        for group in f.groups:
            assert group[0] in hosts
            tables[group[0]].append(set(group[1:]))
    # Every traveller sits at a new host's table each round.
    for rounds in tables.values():
        assert not (rounds[0] & rounds[1]) and not (rounds[1] & rounds[2])
        assert not (rounds[0] & rounds[2])


def test_every_member_of_a_group_gets_a_turn() -> None:
    s = session(breakout(group_size=3, duration="9m", turn_each=True), names=tuple("ABCDEFG"))
    events = s.start(T0)
    groups = groups_of(events)[0]
    assert sorted(len(g) for g in groups) == [2, 2, 3]
    snap = s.snapshot(T0 + 1.0)
    assert snap.group_speakers == tuple(g[0] for g in groups)
    events = s.advance(T0 + 600.0)
    swaps = of(events, SwapDue)
    # Three turns for the largest group: swaps at a third and two thirds of the time.
    assert [e.t for e in swaps] == [180.0, 360.0]
    assert swaps[0].speakers == tuple(g[1] for g in groups)
    # The pairs go round again: their first speaker has the third turn.
    assert swaps[1].speakers == tuple(g[2 % len(g)] for g in groups)


def test_the_focus_moves_round_each_group() -> None:
    steps = [breakout(group_size=3, shuffle="keep", group_focus="next") for _ in range(3)]
    s = session(breakout(group_size=3), *steps, names=tuple("ABCDEF"))
    events = s.start(T0) + s.advance(T0 + 1440.0)
    formed = of(events, GroupsFormed)
    assert formed[0].focus == ()
    groups = formed[1].groups
    assert [f.focus for f in formed[1:]] == [
        tuple(g[0] for g in groups),
        tuple(g[1] for g in groups),
        tuple(g[2] for g in groups),
    ]
    same = session(
        breakout(group_size=3, group_focus="next"),
        breakout(group_size=3, shuffle="keep", group_focus="same"),
        names=tuple("ABCDEF"),
    )
    events = same.start(T0) + same.advance(T0 + 400.0)
    first, second = of(events, GroupsFormed)
    assert first.focus == second.focus
    assert same.snapshot(T0 + 400.0).group_focus == second.focus
