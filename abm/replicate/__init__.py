"""Replication of the chapter's claims: scenario pairs over seeds, metrics, a report."""
