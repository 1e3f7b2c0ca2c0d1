"""Running the iOS checks on an iOS acquisition (called by result.analyze for ``platform: ios``)."""

from __future__ import annotations

from inspector.acquisition import Acquisition
from inspector.analyze.checks import (
    ios_apps,
    ios_backup_encryption,
    ios_backup_files,
    ios_device_activity,
    ios_indicators,
    ios_profiles,
    ios_shutdown_log,
)
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.ios.evidence import IOSEvidence, IOSOptions
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.timeline import Event, Window

IOS_CHECKS = (ios_backup_encryption.run, ios_apps.run, ios_profiles.run, ios_indicators.run, ios_shutdown_log.run,
              ios_backup_files.run)


def run_checks(acq: Acquisition, pack: SignaturePack, window: Window | None,
               options: IOSOptions | None = None) -> tuple[list[CheckOutcome], list[Event]]:
    evidence = IOSEvidence(acq, options)
    try:
        outcomes = [check(evidence, pack) for check in IOS_CHECKS]
        outcomes.append(ios_device_activity.run(evidence, pack, window))
        events = ios_device_activity.events(evidence)
    finally:
        evidence.close()
    return outcomes, events
