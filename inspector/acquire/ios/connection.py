"""Reaching an iPhone: usbmuxd lists it, lockdownd pairs with it (the *Trust* dialog) and opens a
TLS session, through pymobiledevice3 (11.x: async only).

Pair records this computer makes are kept in inspector's configuration folder
(``<config>/ios-pairing``) and handed to usbmuxd, as iTunes/Finder and libimobiledevice do; a record
usbmuxd already holds (the phone trusted this computer before) is used first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.acquire.ios import errors
from inspector.paths import config_dir

if TYPE_CHECKING:
    from pymobiledevice3.lockdown import LockdownClient

# pymobiledevice3 logs every retry of the pairing dialog and every reconnection; inspector tells
# the person itself what is happening, in words meant for them.
logging.getLogger("pymobiledevice3").setLevel(logging.CRITICAL)

# One Pair request per second while the Trust dialog (or the lock screen) is up, as idevicepair does.
PAIR_RETRY_S = 1.0
DEFAULT_TRUST_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class IPhone:
    """One iPhone as usbmuxd lists it."""

    udid: str
    connection_type: str  # "USB" or "Network"


def pairing_folder() -> Path:
    path = config_dir() / "ios-pairing"
    path.mkdir(parents=True, exist_ok=True)
    return path


def connection_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the link to the phone itself is gone (not that one service refused)."""
    from pymobiledevice3.exceptions import (
        ConnectionTerminatedError,
        DeviceNotFoundError,
        MuxException,
        NoDeviceConnectedError,
    )

    return (ConnectionTerminatedError, MuxException, DeviceNotFoundError, NoDeviceConnectedError, OSError,
            asyncio.IncompleteReadError, EOFError)


async def list_iphones() -> list[IPhone]:
    from pymobiledevice3 import usbmux
    from pymobiledevice3.exceptions import ConnectionFailedToUsbmuxdError, MuxException

    try:
        devices = await asyncio.wait_for(usbmux.list_devices(), timeout=10)
    except ConnectionFailedToUsbmuxdError:
        raise errors.UsbmuxdUnavailable("usbmuxd is not running on this computer, so no iPhone can be seen.") from None
    except (TimeoutError, MuxException, OSError) as exc:
        raise errors.UsbmuxdUnavailable(f"usbmuxd did not answer as expected ({type(exc).__name__}: {exc}).") from None
    phones: dict[str, IPhone] = {}
    for device in devices:
        key = str(device.serial).replace("-", "")
        # The same phone can be listed over USB and over the network; the cable wins.
        if key not in phones or device.connection_type == "USB":
            phones[key] = IPhone(str(device.serial), str(device.connection_type))
    return list(phones.values())


def choose(phones: list[IPhone], udid: str | None) -> IPhone:
    if udid:
        wanted = udid.replace("-", "").lower()
        for phone in phones:
            if phone.udid.replace("-", "").lower() == wanted:
                return phone
        raise errors.NoIPhoneFound(f"No iPhone with UDID {udid} is connected"
                                   + (f" (connected: {', '.join(p.udid for p in phones)})." if phones else "."))
    if not phones:
        raise errors.NoIPhoneFound("No iPhone found.")
    if len(phones) > 1:
        raise errors.SeveralIPhones(f"{len(phones)} iPhones are connected: {', '.join(p.udid for p in phones)}.")
    return phones[0]


async def open_lockdown(
    phone: IPhone,
    on_prompt: Callable[[str], None] | None = None,
    trust_timeout_s: float = DEFAULT_TRUST_TIMEOUT_S,
    allow_pairing: bool = True,
) -> LockdownClient:
    """A lockdown client with a TLS session. If the phone does not trust this computer yet, ask it to:
    ``on_prompt("trust")`` when the *Trust* dialog is up, ``on_prompt("unlock")`` when the phone must be
    unlocked first (each said once). ``allow_pairing=False`` (reconnecting mid-scan): never make the
    phone show the dialog unannounced; raise ``DeviceUnpaired`` instead."""
    from pymobiledevice3.exceptions import IncorrectModeError, PasswordRequiredError, PyMobileDevice3Exception
    from pymobiledevice3.lockdown import create_using_usbmux

    try:
        lockdown = await asyncio.wait_for(create_using_usbmux(
            serial=phone.udid, autopair=False, connection_type=phone.connection_type,
            pairing_records_cache_folder=pairing_folder()), timeout=60)
    except IncorrectModeError:
        raise errors.DeviceError("The iPhone is in recovery or restore mode, not running iOS.",
                                 hint="Let it start normally, unlock it, then try again.") from None
    except PasswordRequiredError:
        raise errors.DeviceLocked("The iPhone is locked.") from None
    except TimeoutError:
        raise errors.IPhoneDisconnected("The iPhone did not answer within 60 s.") from None
    except connection_errors() as exc:
        raise errors.IPhoneDisconnected(f"Could not reach the iPhone's lockdown service ({exc}).") from None
    except PyMobileDevice3Exception as exc:
        raise errors.DeviceError(f"The iPhone refused the connection: {exc}",
                                 hint="Unplug it, unlock it, plug it back in and try again.") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # e.g. a ProductVersion that is not a version: pymobiledevice3 needs it to choose the TLS version
        raise errors.DeviceError(f"The device sent lockdown values that cannot be used ({type(exc).__name__}: "
                                 f"{exc}).", hint="This does not look like a normal iPhone; an expert should "
                                 "look at it. Nothing was collected.") from None
    if not lockdown.paired and not allow_pairing:
        await lockdown.close()
        raise errors.DeviceUnpaired("The iPhone no longer trusts this computer.")
    if not lockdown.paired:
        try:
            await _pair(lockdown, on_prompt or (lambda kind: None), trust_timeout_s)
        except BaseException:
            await lockdown.close()
            raise
    return lockdown


async def _pair(lockdown: LockdownClient, on_prompt: Callable[[str], None], timeout_s: float) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pymobiledevice3.exceptions import (
        PairingDialogResponsePendingError,
        PasswordRequiredError,
        PyMobileDevice3Exception,
        UserDeniedPairingError,
    )

    host_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    said: set[str] = set()
    waiting_for = "trust"
    while True:
        try:
            await lockdown.pair(timeout=0, private_key=host_key)
            break
        except UserDeniedPairingError:
            raise errors.TrustDenied("The iPhone does not trust this computer (Don't Trust was tapped).") from None
        except PairingDialogResponsePendingError:
            waiting_for = "trust"
        except PasswordRequiredError:
            waiting_for = "unlock"
        except connection_errors() as exc:
            raise errors.IPhoneDisconnected(f"The iPhone went away while pairing ({exc}).") from None
        except PyMobileDevice3Exception as exc:
            raise errors.DeviceError(f"Pairing with the iPhone failed: {exc}",
                                     hint="Unplug it, unlock it, plug it back in and try again.") from None
        if waiting_for not in said:
            said.add(waiting_for)
            on_prompt(waiting_for)
        if loop.time() >= deadline:
            if waiting_for == "unlock":
                raise errors.DeviceLocked(f"The iPhone stayed locked for {timeout_s:.0f} s, so it could not be "
                                          "asked to trust this computer.")
            raise errors.TrustTimeout(f"Trust was not tapped on the iPhone within {timeout_s:.0f} s.")
        await asyncio.sleep(PAIR_RETRY_S)
    if not await lockdown.validate_pairing():
        raise errors.DeviceError("The iPhone accepted this computer but then refused to open a session.",
                                 hint="Unplug it, unlock it, plug it back in and try again.")
