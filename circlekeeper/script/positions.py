"""Where each node of a loaded script sits in its file."""

from __future__ import annotations

from dataclasses import dataclass, field

PathKey = tuple[str | int, ...]
"""A path into the loaded data: mapping keys and sequence indexes."""

Pos = tuple[int, int]
"""A 1-based (line, column)."""


@dataclass
class Positions:
    """Line and column of every value and every mapping key, by data path."""

    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)

    def value(self, path: PathKey) -> Pos:
        """Where the node at `path` starts, or its nearest recorded ancestor."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def key(self, path: PathKey) -> Pos:
        """Where the key naming the node at `path` is written (the node itself otherwise)."""
        found = self.keys.get(path)
        return found if found is not None else self.value(path)

    def has(self, path: PathKey) -> bool:
        """Whether the node at `path` was written in the file."""
        return path in self.values
