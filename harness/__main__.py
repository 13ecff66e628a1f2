"""Run the command line as `python -m harness`; a signal while it starts ends it quietly, as `evalrun` does."""

try:
    from harness.cli import main
except KeyboardInterrupt:
    raise SystemExit(130) from None

raise SystemExit(main())
