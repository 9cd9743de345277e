"""`python -m commonslint` and the `commonslint` command run the command-line interface."""

import sys


def run() -> int:
    """The console entry point. The interface loads its modules here, so a Ctrl-C while they
    load ends as one during the run does (exit 130, no traceback), not in an import's
    traceback; the first tens of milliseconds of a pre-commit hook are mostly that."""
    try:
        from commonslint.cli import main
    except KeyboardInterrupt:
        print("commonslint: interrupted", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(run())
