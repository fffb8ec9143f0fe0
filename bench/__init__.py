"""Benchmarks (pytest-benchmark); run them with ``python -m bench`` (or ``make bench``).

Files are named ``bench_*.py`` so that the normal test run never collects them;
``python -m bench`` tells pytest to. Every suite reports ratios against a peer
measured in the same run (see ``bench/report.py``).
"""
