"""What can go wrong between the laptop and the phone, each with what the person should do next."""

from __future__ import annotations


class DeviceError(Exception):
    """A problem reaching or talking to the phone. ``hint`` says what to do about it."""

    hint = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class NoDeviceFound(DeviceError):
    hint = (
        "Plug the phone in with a data cable (not a charge-only one) and unlock it. USB debugging must be "
        "on: Settings › About phone › tap Build number seven times, then Settings › System › Developer "
        "options › USB debugging. Check with `inspector devices`."
    )


class SeveralDevices(DeviceError):
    hint = "Choose one with --serial SERIAL (the serials are listed by `inspector devices`)."


class DeviceUnauthorized(DeviceError):
    hint = (
        "Unlock the phone and tap *Allow USB debugging* (tick *Always allow from this computer* if you "
        "want to scan it again). If no question appears, unplug and replug the cable, or revoke USB "
        "debugging authorisations in Developer options and try again."
    )


class DeviceOffline(DeviceError):
    hint = "The phone answered but is offline: unplug it, unlock it, plug it back in and try again."


class UsbBusy(DeviceError):
    hint = (
        "Another program holds the phone's USB connection, usually an `adb` server. Stop it with "
        "`adb kill-server` (and close Android Studio or other phone tools), then try again."
    )


class UsbUnavailable(DeviceError):
    hint = (
        "USB access needs libusb and permission to open the device. On Debian/Ubuntu: "
        "`sudo apt install libusb-1.0-0` and add the udev rules from `android-sdk-platform-tools-common`; "
        "`inspector doctor` checks this."
    )


class DeviceDisconnected(DeviceError):
    hint = (
        "The connection to the phone was lost (cable unplugged, phone locked or rebooted). What was "
        "collected is kept. Plug the phone back in, unlock it, and run the same command with "
        "--resume FOLDER to finish without starting over."
    )


class CommandTimeout(DeviceError):
    """One command ran past its time limit; the rest of the collection goes on."""

    hint = "The phone was slow to answer this command; what it sent before the limit is kept."


class OutputTooLarge(DeviceError):
    """One command's output passed its size limit; what came before the limit is kept."""
