"""mockown's benchmark harness (`make bench`, or `python -m bench --help`).

Every figure is a ratio of two measurements taken side by side in one run on one machine: mockown against
the peer `oauth2-mock-server` (installed from the npm registry into a cache directory), and against the
ceiling of our own stack (bare Starlette apps on the same uvicorn settings). See BENCHMARKS.md.
"""
