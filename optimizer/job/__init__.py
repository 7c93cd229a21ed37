"""The periodic roster job (``svcplan job run JOB_FILE --as-of DATE``).

A scheduler (cron, a systemd timer, Airflow) starts it every night or week. It forecasts the
coming weeks from the scenario's history, turns the forecast into staff requirements, rosters
the planning window against them (the first ``freeze_days`` keep their published assignments
exactly; later published days cost ``stability`` per change) and publishes the roster, with
the change set against the previous publication, into the publication store (SQLite beside
the outputs, or PostgreSQL by URL) and a folder (CSV and one iCalendar file per person).

- ``config``: the job file (``load_job``), validated like scenario files;
- ``run_id``: the run id, a hash of the inputs' contents, the job file, ``--as-of`` and the
  svcplan version: a rerun with the same id publishes nothing ("unchanged");
- ``store``: the publication store (SQLAlchemy 2.x);
- ``changes``: the change set between two publications;
- ``folder``: the folder sink;
- ``log``: log lines as text or one JSON object each;
- ``run``: the job itself (``run_job``).

Modules are imported by name: this package loads nothing heavy, so that an unchanged rerun
answers in about a second.
"""
