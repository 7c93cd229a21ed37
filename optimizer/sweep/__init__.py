"""``svcplan sweep``: one scenario run over the cross product of a grid of parameter values.

``grid.py`` reads the grid and validates every variant as a scenario; ``task.py`` is what a
worker runs for one variant (a whole ``plan`` into the variant's own folder); ``table.py``
makes the comparison table from the variants' summaries; ``run.py`` runs the variants on an
executor (``optimizer.parallel``), skips complete ones with ``--resume`` and publishes the
comparison.
"""
