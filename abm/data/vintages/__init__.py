"""Dated calibration vintages: the tables as they stood when each was built."""
