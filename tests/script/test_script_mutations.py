"""Property: however a valid script is mangled, loading never fails with anything but
`ScriptErrors`, and every error points inside the file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circlekeeper.script import Practice, ScriptErrors, load_text

HERE = Path(__file__).resolve().parent
PRACTICES = HERE.parent.parent / "practices"
SOURCES = [
    *sorted(PRACTICES.glob("*.yaml")),
    HERE / "good" / "every-kind.yaml",
    # Real practices written in the whole format: exchanges, consent, queues, series.
    *sorted((HERE.parent / "engine" / "practices").glob("*.yaml")),
]
TEXTS = [path.read_text(encoding="utf-8") for path in SOURCES]

# Printable text plus the characters that matter to YAML; no bare `\r` or Unicode line
# separators, so "a line" means the same thing to the test and to an editor.
ALPHABET = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Zl", "Zp", "Cc"),
) | st.sampled_from(list(":-[]{}&*!%#|>'\"?,@`\t \n\x07"))

SCALARS = st.one_of(
    st.integers(-(10**6), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "true",
            "false",
            "off",
            "no",
            "yes",
            "null",
            "~",
            "''",
            '""',
            "[]",
            "{}",
            "-",
            "0s",
            "2x",
            "25h",
            "bowl x3",
            "bowl x99",
            "rond",
            "&a x",
            "*a",
            "!tag x",
            "- a",
            "a: b",
        ]
    ),
    st.text(ALPHABET, max_size=12),
)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines = lines[:-1]
    return lines or [""]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = TEXTS[draw(st.integers(0, len(TEXTS) - 1))].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        how = draw(
            st.sampled_from(
                ["delete", "value", "rename", "duplicate", "tab", "insert", "indent", "swap"]
            )
        )
        if how == "delete" and len(lines) > 1:
            del lines[index]
        elif how == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {draw(SCALARS)}"
        elif how == "rename" and ":" in line:
            key, rest = line.split(":", 1)
            indent = key[: len(key) - len(key.lstrip(" -"))]
            lines[index] = f"{indent}{draw(st.text(ALPHABET, min_size=1, max_size=8))}:{rest}"
        elif how == "duplicate":
            lines.insert(index, line)
        elif how == "tab":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + "\t" + line[at:]
        elif how == "insert":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(ALPHABET, min_size=1, max_size=5)) + line[at:]
        elif how == "indent":
            shift = draw(st.integers(-3, 3))
            lines[index] = " " * shift + line if shift > 0 else line[-shift:]
        elif how == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "\n".join(lines)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_mutated_scripts_fail_cleanly_inside_the_file(text: str) -> None:
    try:
        practice = load_text(text, "m.yaml", PRACTICES)
    except ScriptErrors as exc:
        lines = _lines(text)
        assert exc.errors
        for error in exc.errors:
            assert error.path == "m.yaml"
            assert 1 <= error.line <= len(lines), (str(error), len(lines))
            assert 1 <= error.col <= len(lines[error.line - 1]) + 1, str(error)
            assert error.message and "\n" not in error.message
    else:
        assert isinstance(practice, Practice)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated())
def test_every_script_check_accepts_starts_a_session(text: str) -> None:
    """`check` and the session agree: a script that loads runs, for any circle in its size."""
    from circlekeeper.engine import Session, plan_circle
    from circlekeeper.engine.rehearse import simulate

    try:
        practice = load_text(text, "m.yaml", PRACTICES)
    except ScriptErrors:
        return
    for size in sorted({practice.size.min, practice.size.max}):
        names = [f"P{i}" for i in range(size)]
        session = Session(practice, plan_circle(practice, names, seed=1))
        assert session.start(1_234.5)
        if size == practice.size.min:
            assert simulate(Session(practice, plan_circle(practice, names, seed=1)))[-1].name == (
                "session_ended"
            )


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_fail_cleanly(data: bytes) -> None:
    try:
        load_text(data, "b.yaml", None)
    except ScriptErrors as exc:
        assert all(error.line >= 1 and error.col >= 1 for error in exc.errors)
