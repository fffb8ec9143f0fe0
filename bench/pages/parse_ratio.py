"""ladle's parse + compile against python-liquid's parse, per corpus page.

``python -m bench.pages.parse_ratio [seconds]`` prints, for each page, the median CPU time
of each engine's ``parser`` (the page and its partials from source, no cache) over rounds
that call both in turn (``measure.interleaved``), their ratio (issue 14's target: at most
``measure.PARSE_TARGET``), and the load average before and after, since the cores are
shared.
"""

from __future__ import annotations

import os
import sys

from bench.pages import PAGES, engines
from bench.pages.measure import PARSE_TARGET, geometric_mean, interleaved


def main(seconds: float) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    ratios = []
    for page in PAGES:
        calls = {engine: engines.parser(engine, page) for engine in ("ladle", "python-liquid")}
        ns, rounds = interleaved(calls, seconds)
        ratio = ns["ladle"] / ns["python-liquid"]
        ratios.append(ratio)
        print(f"{page.name:8} ladle {ns['ladle'] / 1e3:8.0f} us  python-liquid "
              f"{ns['python-liquid'] / 1e3:7.0f} us  {ratio:.2f}x  ({rounds} rounds)",
              flush=True)
    print(f"geometric mean {geometric_mean(ratios):.2f}x (target <= {PARSE_TARGET:g}x on "
          f"every page); load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
