"""`python -m bench`: every figure against its floor, measured in this run."""

from __future__ import annotations

import argparse
import sys

from bench import preview


def print_table(rows: list[dict]) -> None:
    print(f"{'figure':<34} {'value':>12}  {'floor':<44} {'ratio':>6}  {'target':>7}  ok")
    for row in rows:
        target = row.get("target")
        ok = "-" if target is None else ("yes" if row["ratio"] <= target else "NO")
        target_text = "-" if target is None else f"<={target:g}x"
        print(f"{row['figure']:<34} {row['value']:>12}  {row['floor']:<44} {row['ratio']:>5.2f}x  {target_text:>7}  {ok}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--repeats", type=int, default=5, help="runs per figure (the median is reported)")
    args = parser.parse_args(argv)
    rows = preview.measure(args.repeats)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
