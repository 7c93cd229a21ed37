"""Geo layer: OpenStreetMap road networks, travel times, demand points and service areas.

One concern per module: :mod:`~optimizer.geo.osm` reads OSM extracts,
:mod:`~optimizer.geo.network` holds the CSR road network, :mod:`~optimizer.geo.traveltime`
computes bounded travel times, :mod:`~optimizer.geo.demand` turns population layers into snapped
demand points and :mod:`~optimizer.geo.areas` draws service areas and blind spots.
"""
