"""`python -m circlekeeper`."""

from circlekeeper.start import main

if __name__ == "__main__":
    main()
