"""Every writer of svcplan's outputs, and the one way they reach disk.

- ``staging``: whole output folders staged and swapped in, files staged and renamed together;
  ``manifest``: the file listing with SHA-256 digests; ``lock``: one run per output folder.
- ``layers`` (the layer contract the README documents; ``LayerSet``) and ``dispatch_layers``
  (the dispatch plan's set), ``sinks`` (GeoPackage, GeoParquet, FlatGeobuf, GeoJSON, stations
  CSV), ``leaflet_page`` and ``png_figure`` (what every map shares), ``html_map``, ``png_map``
  and ``style`` (the siting maps), ``dispatch_html_map``, ``dispatch_png_map`` and
  ``dispatch_style`` (the dispatch maps), ``artifacts`` (a kind of plan's layers and maps).
- ``tables`` (JSON, CSV, text), ``roster_files`` (roster CSV, iCalendar), ``backtest_png``.

The package imports nothing itself, so that using one writer does not load the others.
"""
