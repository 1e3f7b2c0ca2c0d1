"""Benchmark of the traveller's report (issue: the report in several languages, HTML / PDF / JSON).

A synthetic result document of a phone with 300 apps and 50 findings of every kind (long logcat
excerpts, a crossing window, 400 timeline events: tests/report_results.py:large_result) is rendered:

1. HTML (``render_html``), against a baseline measured in the same run: Jinja2 rendering the same
   template from a view built beforehand, i.e. the page without our view building (catalog lookups,
   escaping of device text, bidi isolation, clipping, sorting).
2. PDF (``render_pdf``, WeasyPrint), against two baselines in the same run: WeasyPrint on a minimal
   page (the engine's fixed cost) and WeasyPrint on our own print page rendered beforehand (the
   engine's cost for this page, without our HTML step).
3. JSON (``render_json``) for completeness.

Medians of N runs; the machine is shared and noisy, so baselines alternate with the measured runs.

    python bench/report.py [--runs 7] [--pdf-runs 3] [--langs en,zh_CN,ug] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from report_results import large_result  # noqa: E402

from inspector.report import render_html, render_json  # noqa: E402
from inspector.report.html import _css, _environment, build_view  # noqa: E402
from inspector.report.messages import load_messages  # noqa: E402
from inspector.resources import reports_dir  # noqa: E402


def timed(fn) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def bench_html(result: dict, lang: str, runs: int) -> dict:
    templates = reports_dir() / "templates"
    template = _environment(templates).get_template("report.html.j2")
    messages = load_messages(lang, isolate=True)
    css = _css(templates)
    view = build_view(result, messages)  # built once: the baseline renders the template only

    def baseline() -> str:
        return template.render(view=view, t=messages.text, css=css, for_print=False, csp="default-src 'none'")

    ours, base = [], []
    for _ in range(runs):
        ours.append(timed(lambda: render_html(result, lang=lang)))
        base.append(timed(baseline))
    size = len(render_html(result, lang=lang).encode("utf-8"))
    return {
        "lang": lang,
        "html_ms": median_ms(ours),
        "jinja_only_ms": median_ms(base),
        "ratio": round(statistics.median(ours) / statistics.median(base), 2),
        "bytes": size,
    }


def bench_pdf(result: dict, lang: str, runs: int) -> dict:
    import weasyprint

    from inspector.report.pdf import _url_fetcher, render_pdf

    page = render_html(result, lang=lang, for_print=True)
    fetcher = _url_fetcher(weasyprint)

    def engine_on_our_page() -> bytes:
        return weasyprint.HTML(string=page, url_fetcher=fetcher).write_pdf()

    def engine_minimal() -> bytes:
        return weasyprint.HTML(string="<p>Phone check report</p>", url_fetcher=fetcher).write_pdf()

    ours, engine, minimal = [], [], []
    for _ in range(runs):
        ours.append(timed(lambda: render_pdf(result, lang=lang)))
        engine.append(timed(engine_on_our_page))
        minimal.append(timed(engine_minimal))
    pdf = render_pdf(result, lang=lang)
    pages = len(weasyprint.HTML(string=page, url_fetcher=fetcher).render().pages)
    return {
        "lang": lang,
        "pdf_ms": median_ms(ours),
        "weasyprint_same_page_ms": median_ms(engine),
        "weasyprint_minimal_ms": median_ms(minimal),
        "ratio_to_same_page": round(statistics.median(ours) / statistics.median(engine), 2),
        "pages": pages,
        "bytes": len(pdf),
        "weasyprint": weasyprint.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--langs", default="en,zh_CN,ug")
    parser.add_argument("--packages", type=int, default=300)
    parser.add_argument("--findings", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = large_result(packages=args.packages, findings=args.findings)
    langs = [lang for lang in args.langs.split(",") if lang]
    out: dict = {"packages": args.packages, "findings": args.findings, "html": [], "pdf": []}
    for lang in langs:
        row = bench_html(result, lang, args.runs)
        out["html"].append(row)
        print(
            f"HTML {lang}: {row['html_ms']} ms (Jinja2 alone on a prepared view: {row['jinja_only_ms']} ms, "
            f"{row['ratio']}x), {row['bytes']:,} bytes",
            flush=True,
        )
    json_ms = median_ms([timed(lambda: render_json(result)) for _ in range(args.runs)])
    out["json_ms"] = json_ms
    print(f"JSON: {json_ms} ms", flush=True)
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        print(f"PDF: skipped, WeasyPrint cannot be loaded ({exc})")
    else:
        for lang in langs:
            row = bench_pdf(result, lang, args.pdf_runs)
            out["pdf"].append(row)
            print(
                f"PDF {lang}: {row['pdf_ms']} ms, {row['pages']} pages (WeasyPrint on the same page: "
                f"{row['weasyprint_same_page_ms']} ms, {row['ratio_to_same_page']}x; on a minimal page: "
                f"{row['weasyprint_minimal_ms']} ms)",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
