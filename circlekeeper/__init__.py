"""circlekeeper: a terminal companion that keeps time and turns for a live circle."""

__version__ = "0.1.0"
