"""The `ansinh` command: Django's manage.py with the project's own command names.

Commands are written with hyphens (`ansinh load-units`), as DESIGN.md §5 names them; they
map to management commands with underscores. Everything else passes through to Django
(`ansinh migrate`, `ansinh check --deploy`, `ansinh runserver`).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings.base")
    if len(argv) > 1 and argv[1] == "bench":
        sys.exit(_bench(argv[2:]))
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _bench(names: list[str]) -> int:
    """`ansinh bench`: the runner lives in the checkout's bench/ (not installed code)."""
    import runpy
    from pathlib import Path

    runner = Path(__file__).resolve().parents[2] / "bench" / "run.py"
    if not runner.is_file():
        print("ansinh bench: bench/run.py not found (run it from a checkout)", file=sys.stderr)
        return 2
    module = runpy.run_path(str(runner))
    return module["main"](names)


if __name__ == "__main__":
    main()
