"""The build: the order of the stages, its inputs, the caches (extraction and reading), side
processes and Dask, progress and ``report.json``. Only this package knows the order."""
