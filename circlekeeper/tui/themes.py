"""Themes: a colour-blind-safe default (Okabe-Ito colours) and a high-contrast one.

Okabe-Ito's eight colours stay distinct under the common colour-vision deficiencies, so the
states that matter in a circle (who holds the stick, paused, time nearly up) never rely on a
red/green difference alone; they also differ in brightness and carry a symbol or a word.
"""

from __future__ import annotations

from textual.theme import Theme

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

CIRCLE_THEME = Theme(
    name="circlekeeper",
    primary=OKABE_ITO["sky"],
    secondary=OKABE_ITO["blue"],
    accent=OKABE_ITO["orange"],
    warning=OKABE_ITO["yellow"],
    error=OKABE_ITO["vermillion"],
    success=OKABE_ITO["green"],
    foreground="#E8E8E8",
    background="#101418",
    surface="#1A2027",
    panel="#24303A",
    dark=True,
    variables={
        "footer-key-foreground": OKABE_ITO["orange"],
        "block-cursor-text-style": "bold",
    },
)

HIGH_CONTRAST_THEME = Theme(
    name="circlekeeper-high-contrast",
    primary="#FFFFFF",
    secondary="#FFFF00",
    accent="#FFFF00",
    warning="#FFFF00",
    error="#FF6E6E",
    success="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    dark=True,
    variables={
        "footer-key-foreground": "#FFFF00",
        "block-cursor-text-style": "bold reverse",
        "border": "#FFFFFF",
    },
)

THEMES = (CIRCLE_THEME, HIGH_CONTRAST_THEME)
