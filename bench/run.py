"""Benchmark runner: `make bench` / `ansinh bench [NAME ...]`.

Each `bench/bench_*.py` defines `run(report)`; `report(name, value, unit, baseline=None,
note="")` records one figure (with its ratio to a baseline measured in the same process).
Results are printed and written to `bench/results/<module>.json` with the machine and
database they were measured on. Benchmarks run against their own database: SQLite in
`var/bench.sqlite3` unless `DATABASE_URL` is set; never the demo database.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ansinh.settings.base")
    if "DATABASE_URL" not in os.environ:
        var = BENCH_DIR.parent / "var"
        var.mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _machine() -> dict:
    from django.db import connection

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else str(connection.pg_version),
    }


def main(names: list[str] | None = None) -> int:
    _setup_django()
    modules = sorted(BENCH_DIR.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.stem.removeprefix("bench_") in names or m.stem in names]
    RESULTS_DIR.mkdir(exist_ok=True)
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        figures: list[dict] = []

        def report(name, value, unit, baseline=None, note="", figures=figures, stem=path.stem):
            figure = {"name": name, "value": round(value, 6), "unit": unit, "note": note}
            if baseline:
                figure["baseline"] = round(baseline, 6)
                figure["ratio_to_baseline"] = round(value / baseline, 3)
            figures.append(figure)
            ratio = f"  (×{figure['ratio_to_baseline']} of baseline)" if baseline else ""
            print(f"  {stem}: {name} = {value:,.4f} {unit}{ratio}", flush=True)

        print(f"== {path.stem}", flush=True)
        module.run(report)
        machine = _machine()
        out = RESULTS_DIR / f"{path.stem.removeprefix('bench_')}-{machine['database']}.json"
        out.write_text(
            json.dumps(
                {
                    "benchmark": path.stem,
                    "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "machine": machine,
                    "figures": figures,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        print(f"  → {out.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
