"""Reusable widgets of the live session: they draw a snapshot and never read a clock."""
