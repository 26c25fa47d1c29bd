"""Splitting the circle into breakout groups: sizes, leftovers, who met whom, the hosts who
stay at their tables, and the member in focus in each group."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from circlekeeper.script.model import BreakoutStep

Groups = tuple[tuple[str, ...], ...]
PairCounts = Counter[frozenset[str]]

CANDIDATES = 200
"""Random splits tried when avoiding repeat partners; the best one wins."""


def balanced(people: Sequence[str], size: int) -> Groups:
    """Groups as even as possible, about `size` each (10 into fours: 4, 3, 3).

    As many groups as it takes for none to be larger than `size`, unless that leaves a
    group much smaller than asked (under `size - 1`, or alone): then one group fewer, with
    a few groups one larger.
    """
    n = len(people)
    if n <= size:
        return (tuple(people),) if people else ()
    count = -(-n // size)
    if n // count < max(2, size - 1):
        count = n // size
    base, extra = divmod(n, count)
    out: list[tuple[str, ...]] = []
    start = 0
    for k in [base + 1] * extra + [base] * (count - extra):
        out.append(tuple(people[start : start + k]))
        start += k
    return tuple(out)


def chunk(people: Sequence[str], size: int, leftovers: str) -> Groups:
    """Cut `people` into groups of `size`: balanced, or the rest join groups or form a
    smaller one."""
    n = len(people)
    if leftovers == "balance":
        return balanced(people, size)
    if n <= size:
        return (tuple(people),) if people else ()
    full, rest = divmod(n, size)
    groups = [list(people[i * size : (i + 1) * size]) for i in range(full)]
    tail = list(people[full * size :])
    # Nobody breaks out alone: a single leftover always joins a group.
    if rest and (leftovers == "own-group" and rest > 1):
        groups.append(tail)
    else:
        for i, person in enumerate(tail):
            groups[i % full].append(person)
    return tuple(tuple(g) for g in groups)


def repeats(groups: Groups, met: PairCounts) -> int:
    """How many pairs in these groups have already met, weighted by how often."""
    return sum(
        met[frozenset(pair)] for group in groups for pair in itertools.combinations(group, 2)
    )


def merge(previous: Groups, size: int, leftovers: str) -> Groups:
    """Merge earlier groups in order (pairs into fours) until each reaches `size`."""
    out: list[list[str]] = []
    current: list[str] = []
    for group in previous:
        current.extend(group)
        if len(current) >= size:
            out.append(current)
            current = []
    if current:
        # A group left over on its own would meet nobody new: it joins, unless asked not to.
        if out and (leftovers != "own-group" or len(current) == 1):
            out[-1].extend(current)
        else:
            out.append(current)
    return tuple(tuple(g) for g in out)


def split(previous: Groups, size: int) -> Groups:
    """Split each earlier group into groups of about `size` (fours back into their pairs)."""
    return tuple(g for group in previous for g in balanced(group, size))


def form_groups(
    step: BreakoutStep,
    names: tuple[str, ...],
    previous: Groups | None,
    met: PairCounts,
    rng: random.Random,
) -> Groups:
    """The groups for one breakout, deterministic for a given random generator."""
    same_people = previous is not None and sorted(p for g in previous for p in g) == sorted(names)
    if step.shuffle == "keep" and previous is not None and same_people:
        return previous
    if step.shuffle == "merge" and previous is not None and same_people:
        return merge(previous, step.group_size, step.leftovers)
    if step.shuffle == "split" and previous is not None and same_people:
        return split(previous, step.group_size)
    people = list(names)
    if step.shuffle == "random" or step.shuffle == "keep":
        rng.shuffle(people)
        return chunk(people, step.group_size, step.leftovers)
    # avoid-repeats (and merge without earlier groups): the split with fewest old partners.
    best: Groups | None = None
    best_score = -1
    for _ in range(CANDIDATES):
        rng.shuffle(people)
        groups = chunk(people, step.group_size, step.leftovers)
        score = repeats(groups, met)
        if best is None or score < best_score:
            best, best_score = groups, score
            if score == 0:
                break
    assert best is not None
    return improve(best, met) if best_score else best


Cost = Callable[[list[str]], int]
"""What one group costs: how many of its pairs met before, weighted."""


def improve(groups: Groups, met: PairCounts, passes: int = 4) -> Groups:
    """Swap people between groups while that lowers the repeat count (sizes stay the same)."""
    return swap_down(groups, lambda group: repeats((tuple(group),), met), passes)


def swap_down(groups: Groups, cost: Cost, passes: int = 4, *, fixed: int = 0) -> Groups:
    """Swap people between groups while that lowers the total `cost` (sizes stay the same);
    the first `fixed` members of each group stay where they are (hosts)."""
    gs = [list(g) for g in groups]
    for _ in range(passes):
        better = False
        for i, j in itertools.combinations(range(len(gs)), 2):
            for a in range(fixed, len(gs[i])):
                for b in range(fixed, len(gs[j])):
                    before = cost(gs[i]) + cost(gs[j])
                    gs[i][a], gs[j][b] = gs[j][b], gs[i][a]
                    if cost(gs[i]) + cost(gs[j]) < before:
                        better = True
                    else:
                        gs[i][a], gs[j][b] = gs[j][b], gs[i][a]
        if not better:
            break
    return tuple(tuple(g) for g in gs)


def record(groups: Groups, met: PairCounts) -> None:
    """Remember who met whom, for later avoid-repeats splits."""
    for group in groups:
        for pair in itertools.combinations(group, 2):
            met[frozenset(pair)] += 1


HOST_AGAIN = 10
"""What sitting with the same host again weighs, against meeting one traveller again: it
is staying at the same table, which a World Cafe asks people not to do."""


def hosted(
    previous: Groups, hosts: tuple[str, ...], met: PairCounts, rng: random.Random, best: bool
) -> Groups:
    """The hosts stay at their tables; everyone else moves to a table (tables keep their
    sizes): to a new host and new people as far as can be (`best`), or at random."""
    others = [p for g in previous for p in g if p not in hosts]
    sizes = [len(g) - 1 for g in previous]

    def seat(order: list[str]) -> list[list[str]]:
        out, start = [], 0
        for host, k in zip(hosts, sizes, strict=True):
            out.append([host, *order[start : start + k]])
            start += k
        return out

    def cost(table: list[str]) -> int:
        again = sum(met[frozenset((table[0], p))] for p in table[1:])
        return repeats((tuple(table),), met) + HOST_AGAIN * again

    rng.shuffle(others)
    tables = seat(others)
    if not best:
        return tuple(tuple(t) for t in tables)
    lowest = sum(cost(t) for t in tables)
    for _ in range(CANDIDATES):
        if lowest == 0:
            break
        rng.shuffle(others)
        candidate = seat(others)
        total = sum(cost(t) for t in candidate)
        if total < lowest:
            tables, lowest = candidate, total
    found = tuple(tuple(t) for t in tables)
    # Then swap travellers between tables while that lowers the cost (hosts stay put).
    return swap_down(found, cost, fixed=1) if lowest else found


@dataclass
class Breakouts:
    """What the breakouts of one session remember: who met whom, the last groups, their
    hosts and who was in focus in each."""

    met: PairCounts = field(default_factory=Counter)
    last: Groups | None = None
    hosts: tuple[str, ...] = ()
    focus: tuple[int, ...] = ()
    """Index of the member in focus in each of the last groups."""

    def form(
        self, step: BreakoutStep, names: tuple[str, ...], rng: random.Random
    ) -> tuple[Groups, tuple[str, ...], tuple[str, ...]]:
        """The groups of a breakout, their hosts and the member in focus in each."""
        previous = self.last
        same_people = previous is not None and sorted(p for g in previous for p in g) == sorted(
            names
        )
        if step.hosts and previous is not None and same_people and self.hosts:
            if step.shuffle == "keep":
                groups = previous
            else:
                groups = hosted(previous, self.hosts, self.met, rng, step.shuffle != "random")
        else:
            groups = form_groups(step, names, previous, self.met, rng)
        hosts = tuple(g[0] for g in groups) if step.hosts else ()
        focus: tuple[int, ...] = ()
        if step.group_focus != "none":
            moved = 1 if step.group_focus == "next" else 0
            if groups == previous and len(self.focus) == len(groups):
                focus = tuple((i + moved) % len(g) for i, g in zip(self.focus, groups, strict=True))
            else:
                focus = tuple(0 for _ in groups)
        record(groups, self.met)
        self.last, self.hosts, self.focus = groups, hosts, focus
        named = tuple(g[i] for g, i in zip(groups, focus, strict=True)) if focus else ()
        return groups, hosts, named
