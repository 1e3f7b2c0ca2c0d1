#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it. This is the README's test command and
# what CI runs (.ci/run). Needs root or sudo for the Debian packages (Debian's adb client is the
# conformance peer of the simulated phone; aapt/apksigner check the fixture APKs; chromium, poppler
# and fonts check the report as a person sees it).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v adb >/dev/null 2>&1 || need+=(adb)
# libusb, which adb-shell's USB transport loads: `batch --usb` lists USB devices through it in a test
ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0' || need+=(libusb-1.0-0)
command -v aapt >/dev/null 2>&1 || need+=(aapt)
command -v apksigner >/dev/null 2>&1 || need+=(apksigner)
# Rebuilding the fixture variants byte for byte (tests/test_apk_fixtures.py, scripts/build_fixture_apks.sh)
command -v smali >/dev/null 2>&1 || need+=(libsmali-java)
command -v zipalign >/dev/null 2>&1 || need+=(zipalign)
[ -f /usr/share/android-framework-res/framework-res.apk ] || need+=(android-framework-res)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
# The report as a person sees it (tests/test_report_browser.py, test_report_pdf.py): headless Chromium,
# Poppler to read PDFs back, Pango for the PDF engine (WeasyPrint), and fonts with Chinese and
# Uyghur (Arabic-script) glyphs, without which both the page and the PDF show empty boxes.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -q 'NotoSansCJK' || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -Eq 'NotoSansArabic|NotoNaskhArabic' || need+=(fonts-noto-core)
# The store's tests run against a real PostgreSQL server: tests/postgres.py starts a private cluster
# with these programs (initdb, pg_ctl; as the postgres user when run as root) and stops it at the end.
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)
# Lab mode (tests/test_lab_*.py): gcc builds the program the Frida agent watches (tests/lab_target.c);
# npm fetches frida-java-bridge so that the agent is compiled from its source in a test (the shipped
# inspector/lab/agent/agent.bundle.js needs neither).
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v npm >/dev/null 2>&1 || need+=(npm)
# A JDK: the agent's Java hooks run for real in OpenJDK's HotSpot (tests/test_lab_java.py).
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
if ((${#need[@]})); then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

venv="${INSPECTOR_TEST_VENV:-.venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# A regular (non-editable) install: the suite runs against what a user gets, data files included.
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps . >/dev/null
"$venv/bin/python" -m pip install -q '.[test]'
# pytest (not python -m pytest) so that the checkout's inspector/ does not shadow the installed one.
exec "$venv/bin/pytest" -q -p no:cacheprovider "$@"
