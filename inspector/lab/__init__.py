"""Lab mode: watch what a suspicious app does, with Frida, on a test phone (``inspector trace``).

- :mod:`inspector.lab.device`: reach frida-server (USB, ``--frida-host`` after ``adb forward``) or
  this computer, and compare its Frida version with the installed ``frida`` module.
- :mod:`inspector.lab.agent`: the agent (JavaScript in ``agent/src``, shipped compiled as
  ``agent/agent.bundle.js``).
- :mod:`inspector.lab.trace`: spawn or attach, load the agent, record its events into
  ``events.jsonl`` of an acquisition folder, stop on Ctrl-C, app exit or the duration.
- :mod:`inspector.lab.events`: the event writer and the reader of recorded files.
- :mod:`inspector.lab.behaviour` and :mod:`inspector.lab.result`: events → behaviour findings → the
  result document the report shows under "What this app did".

Frida is imported only when a trace runs, so the rest of inspector works without it. See
docs/lab-mode.md.
"""
