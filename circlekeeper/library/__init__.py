"""The practice library: where practices come from, and the index that lists them at once.

Importing this package (and `library.index`) stays light: no pydantic, no YAML parser, so the
library's first frame and `circlekeeper list` over a warm index never pay for them.
"""
