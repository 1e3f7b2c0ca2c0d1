#!/usr/bin/env python3
"""Bring the report's gettext catalogs in step with reports/messages/en.yaml and compile them.

    python scripts/update_catalogs.py            # regenerate the .pot and en.po, update every .po, compile .mo
    python scripts/update_catalogs.py --check    # write nothing; exit 1 if anything is out of date
    python scripts/update_catalogs.py --add de   # start a language: then translate reports/locale/de/…/inspector.po

Then run the tests: tests/test_report_catalogs.py lists every key a translation still lacks.
See inspector/report/catalogs.py and docs/report.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspector.report.catalogs import translation_problems, update_catalogs  # noqa: E402
from inspector.report.catalogs import languages as catalog_languages  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report what is out of date")
    parser.add_argument("--add", metavar="LANG", action="append", default=[], help="start a catalog for LANG")
    args = parser.parse_args()
    reports = ROOT / "reports"
    outcome = update_catalogs(reports, check=args.check, new_languages=tuple(args.add))
    for path in outcome.changed:
        print(("out of date: " if args.check else "wrote: ") + str(path.relative_to(ROOT)))
    for lang in catalog_languages(reports / "locale"):
        if lang == "en":
            continue
        problems = translation_problems(lang, reports)
        if problems:
            print(
                f"{lang}: {len(problems.missing)} untranslated, {len(problems.fuzzy)} to review (fuzzy), "
                f"{len(problems.placeholders)} with wrong placeholders, {len(problems.lines)} with another "
                "number of steps"
            )
    return 1 if args.check and not outcome.up_to_date else 0


if __name__ == "__main__":
    sys.exit(main())
