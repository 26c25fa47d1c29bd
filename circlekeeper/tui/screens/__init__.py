"""The app's screens: library, circle setup, live session, summary, and small dialogs."""
