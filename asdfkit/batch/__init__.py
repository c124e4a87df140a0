"""Per-station chunked batch processing: local pool and Dask back-ends."""
