"""Side-by-side benchmarks of asdfkit, pyasdf and raw h5py.

Run ``python benchmarks/run.py [--quick] [--json out.json] [--markdown out.md]``.
Nothing here is part of the test suite: the modules only measure and report,
they never assert on timings.
"""
