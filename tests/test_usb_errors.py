"""libusb's own exception classes (python-libusb1) become errors that say what to do."""

from __future__ import annotations

import pytest
import usb1

from inspector.acquire.android import errors
from inspector.acquire.android.connection import usb_error_to_device_error


@pytest.mark.parametrize("exc_class,expected,hint_word", [
    (usb1.USBErrorBusy, errors.UsbBusy, "adb kill-server"),
    (usb1.USBErrorAccess, errors.UsbUnavailable, "udev"),
    (usb1.USBErrorNoDevice, errors.NoDeviceFound, "data cable"),
    (usb1.USBErrorTimeout, errors.DeviceOffline, "unplug"),
    (usb1.USBErrorIO, errors.DeviceOffline, "unplug"),
])
def test_usb_errors_are_actionable(exc_class, expected, hint_word):
    error = usb_error_to_device_error(exc_class(), "USB 0123")
    assert type(error) is expected and hint_word in error.hint
    assert "USB 0123" in str(error)


def test_other_exceptions_are_not_swallowed():
    assert usb_error_to_device_error(ValueError("x"), "USB 1") is None
