"""Trade costs: freight per tonne between every pair of countries."""

from __future__ import annotations

import numpy as np

from abm.data import COUNTRIES, MINERALS, STAGES, Calibration

EARTH_RADIUS_KM = 6371.0


def great_circle_km(calibration: Calibration) -> np.ndarray:
    """Haversine distance between the countries' points in countries.csv, (origin, destination)."""
    countries = calibration.countries.set_index("code").reindex(list(COUNTRIES))
    lat, lon = np.radians(countries.lat.to_numpy(float)), np.radians(countries.lon.to_numpy(float))
    dlat, dlon = lat[:, None] - lat[None, :], lon[:, None] - lon[None, :]
    chord = (
        np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(chord, 0.0, 1.0)))


def transport_costs(calibration: Calibration) -> np.ndarray:
    """Freight per tonne between every pair of countries; zero at home."""
    distance_km = great_circle_km(calibration)
    table = calibration.transport.set_index(["stage", "mineral"])
    out = np.zeros((len(STAGES), len(MINERALS), len(COUNTRIES), len(COUNTRIES)))
    for s, stage in enumerate(STAGES):
        for m, mineral in enumerate(MINERALS):
            row = table.loc[(stage, mineral)]
            out[s, m] = row.fixed_usd_per_t + row.usd_per_t_per_1000km * distance_km / 1000.0
            np.fill_diagonal(out[s, m], 0.0)
    return out
