"""What can go wrong in lab mode, each with what to do about it (shown as "What to do:")."""

from __future__ import annotations


class LabError(Exception):
    """A trace could not start or went wrong; ``hint`` says what to do next."""

    hint = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class FridaMissing(LabError):
    hint = "Install it into inspector's environment: pip install 'frida>=17.2,<18' (see docs/lab-mode.md)."


class FridaServerUnreachable(LabError):
    hint = ("Start frida-server on the test phone as root (adb shell su -c /data/local/tmp/frida-server &), "
            "then for --frida-host run `adb forward tcp:27042 tcp:27042`. `inspector doctor --frida` checks "
            "the setup; docs/lab-mode.md explains it step by step.")


class FridaVersionMismatch(LabError):
    hint = ("Install a frida-server whose version matches the frida module on this computer "
            "(`inspector doctor --frida` shows both), or the frida module matching the server: "
            "pip install 'frida==SERVER_VERSION'.")


class TargetNotFound(LabError):
    hint = "Check the name with `frida-ps -Uai` (the app's package name), or start it with --spawn."


class SpawnFailed(LabError):
    hint = "Check that the app is installed (adb shell pm list packages) and starts by hand on the phone."


class AgentError(LabError):
    hint = "This is a bug in inspector's agent or an unusual app: please report it with the trace folder."
