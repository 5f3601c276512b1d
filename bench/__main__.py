"""`python -m bench`: every figure against its floor, measured in this run."""

from __future__ import annotations

import argparse
import sys

from bench import fleet, policy_pack, preview, rehearse, suite


def verdict(row: dict) -> str:
    """yes, NO, or - for a figure without a target."""
    if "ok" in row:
        return "yes" if row["ok"] else "NO"
    if row.get("target") is None:
        return "-"
    return "yes" if row["ratio"] <= row["target"] else "NO"


def print_table(rows: list[dict]) -> None:
    print(f"{'figure':<36} {'value':>10}  {'floor':<40} {'ratio':>7}  {'target':>8}  ok")
    for row in rows:
        ratio = "-" if row.get("ratio") is None else f"{row['ratio']:.2f}x"
        target = row.get("target")
        if "ok" in row:
            target_text = row.get("note", "-")
        else:
            target_text = "-" if target is None else f"<={target:g}x"
        ok = verdict(row)
        print(f"{row['figure']:<36} {row['value']:>10}  {row['floor']:<40} {ratio:>7}  {target_text:>8}  {ok}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (the median is reported)")
    parser.add_argument("--skip-suite", action="store_true", help="leave out the test suite's wall time")
    parser.add_argument(
        "--skip-rehearsal", action="store_true", help="leave out the go-live rehearsal against its boot floor"
    )
    parser.add_argument("--only-fleet", action="store_true", help="only the fleet preview against one stack")
    args = parser.parse_args(argv)
    if args.only_fleet:
        rows = fleet.measure()
        print_table(rows)
        return 1 if any(verdict(row) == "NO" for row in rows) else 0
    rows = preview.measure(args.repeats) + policy_pack.measure(policy_pack.ROUNDS) + fleet.measure()
    if not args.skip_rehearsal:
        rows += rehearse.measure()
    if not args.skip_suite:
        rows += suite.measure()
    print_table(rows)
    return 1 if any(verdict(row) == "NO" for row in rows) else 0  # a missed target fails CI


if __name__ == "__main__":
    sys.exit(main())
