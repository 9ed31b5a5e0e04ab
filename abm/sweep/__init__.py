"""Parameter sweeps: a sweep file, its design, a runner over processes or Dask, and analysis."""
