"""Imported by the APK pool's fork server (``pool._context``): androguard set up
(``androguard_setup.prepare_androguard``) and imported once there, so that every worker forks with it
loaded instead of importing it again."""

from inspector.analyze.apk.androguard_setup import prepare_androguard

prepare_androguard()

import androguard.core.apk  # noqa: E402,F401 - the point of this module
