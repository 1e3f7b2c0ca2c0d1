"""TCP ports that implants listen on (MFSocket: 10103), from /proc/net/tcp and tcp6, with the app that
owns the socket named through its uid."""

from __future__ import annotations

import json

from inspector.acquisition import Acquisition
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.proc_net import parse_proc_net_tcp
from inspector.analyze.signatures import SignaturePack

NAME = "listening_ports"
ARTIFACTS = ("proc_net_tcp.txt", "proc_net_tcp6.txt")


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    if not pack.listening_ports:
        return CheckOutcome(NAME, "skipped", "the signature pack names no port", decides_verdict=False)
    try:
        packages = json.loads(acq.artifact_path("packages.json").read_text("utf-8"))
    except (OSError, ValueError):
        packages = []
    owners: dict[int, list[str]] = {}
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict) and isinstance(package.get("uid"), int):
            owners.setdefault(package["uid"], []).append(str(package.get("name")))
    outcome = CheckOutcome(NAME, "ran", None, decides_verdict=False)
    problems, read = [], 0
    listening = 0
    for artifact in ARTIFACTS:
        path = acq.artifact_path(artifact)
        if not path.is_file():
            problems.append(f"{artifact} was not collected")
            continue
        try:
            with open(path, "rb") as f:
                table = parse_proc_net_tcp(f)
        except ParseError as exc:
            problems.append(f"{artifact}: {exc.reason}")
            continue
        read += 1
        digest = (acq.artifact(artifact) or {}).get("sha256")
        for socket in table.listening():
            listening += 1
            for rule in pack.listening_ports:
                if socket.local_port != rule.port:
                    continue
                family = pack.family(rule.family)
                apps = owners.get(socket.uid, [])
                outcome.findings.append(Finding(
                    rule_id=rule.id, family=rule.family, severity=rule.severity,
                    # the port owned by the implant's own package is certain
                    confidence="verified" if any(p.casefold() in {x.name.casefold() for x in pack.packages
                                                                  if x.family == rule.family} for p in apps)
                    else rule.confidence,
                    title="finding.listening_port.title", explanation="finding.listening_port.explanation",
                    subject=f"TCP {socket.local}:{socket.local_port}",
                    evidence=(Evidence(artifact=artifact, excerpt=f"{socket.local}:{socket.local_port} LISTEN "
                                       f"uid {socket.uid}", sha256=digest, locator=f"line {socket.line}"),),
                    references=family.references,
                    params={"family_name": family.name, "port": socket.local_port, "uid": socket.uid,
                            "apps": apps, "takes": list(family.takes)}))
    outcome.counts = {"listening_sockets": listening}
    if problems:
        outcome.reason = "; ".join(problems)
        if not read:
            outcome.status = "failed"
    return outcome
