"""What can go wrong between the laptop and an iPhone, each with what the person should do next.

They derive from the Android module's ``DeviceError`` so that the CLI and the pipeline handle a
phone problem the same way whatever the phone.
"""

from __future__ import annotations

from inspector.acquire.android.errors import DeviceDisconnected, DeviceError


class UsbmuxdUnavailable(DeviceError):
    hint = (
        "inspector talks to iPhones through usbmuxd, the USB multiplexing service. On Debian/Ubuntu: "
        "`sudo apt install usbmuxd` (it starts when an iPhone is plugged in); on macOS it is always "
        "running. USBMUXD_SOCKET_ADDRESS selects another socket."
    )


class NoIPhoneFound(DeviceError):
    hint = (
        "Plug the iPhone in with a data cable, unlock it and keep the screen on. If it still does not "
        "appear, unplug and replug it, and check `inspector devices`."
    )


class SeveralIPhones(DeviceError):
    hint = "Choose one with --udid UDID (the UDIDs are listed by `inspector devices`)."


class TrustDenied(DeviceError):
    hint = (
        "The iPhone answered *Don't Trust*. Unplug and replug it, unlock it, and tap *Trust* when it asks "
        "(then enter the passcode). If the question no longer appears: Settings › General › Transfer or "
        "Reset iPhone › Reset › Reset Location & Privacy, then plug it in again."
    )


class TrustTimeout(DeviceError):
    hint = (
        "Nobody tapped *Trust* on the iPhone in time. Unlock it, tap *Trust*, enter the passcode, and run "
        "the command again (--trust-timeout gives more time)."
    )


class DeviceLocked(DeviceError):
    hint = (
        "The iPhone is locked. Unlock it with its passcode and keep the screen on during the scan (set "
        "Settings › Display & Brightness › Auto-Lock to Never for the scan if needed), then run the same "
        "command again; with --resume FOLDER what is done is kept."
    )


class DeviceUnpaired(DeviceDisconnected):
    hint = (
        "The iPhone stopped trusting this computer during the scan (its trust was reset, or it was "
        "restarted). What was collected is kept. Unlock it, run the command again with --resume FOLDER, "
        "and tap *Trust* when it asks."
    )


class IPhoneDisconnected(DeviceDisconnected):
    hint = (
        "The connection to the iPhone was lost (cable unplugged, phone restarted). What was collected is "
        "kept. Plug it back in, unlock it, and run the same command with --resume FOLDER to finish "
        "without starting over."
    )
