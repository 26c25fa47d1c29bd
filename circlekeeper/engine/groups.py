"""Splitting the circle into breakout groups."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Sequence

from circlekeeper.script.model import BreakoutStep

Groups = tuple[tuple[str, ...], ...]
PairCounts = Counter[frozenset[str]]

CANDIDATES = 200
"""Random splits tried when avoiding repeat partners; the best one wins."""


def chunk(people: Sequence[str], size: int, leftovers: str) -> Groups:
    """Cut `people` into groups of `size`; the rest join groups or form a smaller one."""
    n = len(people)
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
        if out and (leftovers == "join" or len(current) == 1):
            out[-1].extend(current)
        else:
            out.append(current)
    return tuple(tuple(g) for g in out)


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


def improve(groups: Groups, met: PairCounts, passes: int = 4) -> Groups:
    """Swap people between groups while that lowers the repeat count (sizes stay the same)."""
    gs = [list(g) for g in groups]

    def cost(group: list[str]) -> int:
        return sum(met[frozenset(pair)] for pair in itertools.combinations(group, 2))

    for _ in range(passes):
        better = False
        for i, j in itertools.combinations(range(len(gs)), 2):
            for a in range(len(gs[i])):
                for b in range(len(gs[j])):
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
