"""Every writer of svcplan's outputs, and the one way they reach disk.

- ``staging``: whole output folders staged and swapped in, files staged and renamed together;
  ``manifest``: the file listing with SHA-256 digests; ``lock``: one run per output folder.
- ``layers`` (the layer contract the README documents), ``sinks`` (GeoPackage, GeoParquet,
  FlatGeobuf, GeoJSON, stations CSV), ``html_map``, ``png_map``, ``style``, ``artifacts``.
- ``tables`` (JSON, CSV, text), ``roster_files`` (roster CSV, iCalendar), ``backtest_png``.

The package imports nothing itself, so that using one writer does not load the others.
"""
