"""The interactive Solara page (``abm viz``)."""
