"""Processing: the page pipeline, RQ jobs and the adapters for external programs."""
