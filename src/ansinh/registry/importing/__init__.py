"""Importing the registry from the files communes keep (issue 3, item 6).

upload → `ImportBatch` + validation job (`jobs.py`) → preview (every error with its Excel row,
column and a Vietnamese message; split old communes to decide) → commit job, all-or-nothing.
The command line (`ansinh import-registry`) runs the same validation and commit in-process.

- `columns`: the template's headers and the variants real files use;
- `template`: the downloadable XLSX template;
- `reading`: XLSX (python-calamine) and CSV, header row found below title rows;
- `normalising`: one cell → one clean value or a message;
- `addresses`: commune names, old (pre-2025) addresses through the succession, thôn/tổ;
- `validation`: every row checked, duplicates, households, rows already in the registry;
- `commit`: bulk writes in one transaction (COPY on PostgreSQL), one audit event per batch;
- `services`, `jobs`: what pages, the worker and the command call.
"""
