"""Valid made-up identifiers for demo data, tests and benchmarks (python-stdnum computes the checks).

    make_uscc(7)                              # 统一社会信用代码 (GB 32100): 91 330482 MA0000007 + check
    make_uscc(7, "330402", "92", series="MB")  # another region, registration category and code series
    make_resident_id(7, birth="19750615")     # resident ID (GB 11643): region + birth date + serial + check

The same serial always gives the same code, so fixtures and seeded data are reproducible.
"""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric, uscc

ORGANISATION_CODE_LENGTH = 9


def make_uscc(serial: int, region: str = "330482", prefix: str = "91", *, series: str = "MA") -> str:
    """A valid USCC: `prefix` (authority + category) + 6-digit region + a 9-character organisation code
    (`series` then `serial` zero-padded) + the check character."""
    width = ORGANISATION_CODE_LENGTH - len(series)
    body = prefix + region + f"{series}{serial:0{width}d}"[:ORGANISATION_CODE_LENGTH]
    return body + uscc.calc_check_digit(body)


def make_resident_id(serial: int, region: str = "330482", birth: str | dt.date = "19800101") -> str:
    """A valid 18-digit resident ID: region + birth date (YYYYMMDD) + 3-digit serial + check digit."""
    if isinstance(birth, dt.date):
        birth = f"{birth:%Y%m%d}"
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit
