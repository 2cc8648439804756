"""The full tier's self-test: one trivial module whose one probe must give 42.

A sandbox in the full tier proves the tier works end to end (child confined, module
imported, result read back) before it trusts it; when the test fails it falls back
to a weaker tier.  A zygote sandbox runs the test alone at start-up.  A direct
sandbox (``check``, whose start-up a student pays at every save) lets the test ride
along the first shared child instead, after the student's modules, which saves a
whole confined child (a fork of the grader, the view's mounts, their teardown).

What decides a fallback stays exactly what it was: the test alone, in a child of its
own.  The riding copy can only *confirm* the tier.  If it did not give 42 (student
code ran before it in the same child and could have disturbed it, or the run hit a
setup error), the test is run alone as at start-up, and only that decides.  So no
student file or code can ever move a run to a weaker tier; at worst it costs the
solo test it would have cost anyway.  Student code never runs before the tier's
setup has completed: a setup error is reported before any of it is started.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from grader.errors import GraderError
from grader.model import Probe
from grader.sandbox.api import Limits, SandboxRequest, SandboxResult
from grader.sandbox.helper import log_tail

MODULE = "probe_self_test"
ANSWER = 42


def self_test_request(limits: Limits | None = None) -> SandboxRequest:
    return SandboxRequest(files={f"{MODULE}.py": f"ANSWER = {ANSWER}\n".encode()},
                          module=MODULE, probes=(Probe(kind="attribute", name="ANSWER"),),
                          limits=limits or Limits())


def riding_limits(requests: Sequence[SandboxRequest]) -> Limits:
    """The riding test's limits: the smallest of each asked for, so that no per-run
    limit of the shared child (the largest asked for) grows; its wall-clock and CPU
    share (added to the shared child's caps) is the smallest one's."""
    fields = [field.name for field in dataclasses.fields(Limits)]
    return Limits(**{name: min(getattr(r.limits, name) for r in requests) for name in fields})


def passed(result: SandboxResult | None) -> bool:
    return (result is not None and result.import_error is None and len(result.probes) == 1
            and type(result.probes[0].value) is int and result.probes[0].value == ANSWER)


def failure(result: SandboxResult, log: str) -> str:
    """Why the solo test failed, for the fallback's isolation note."""
    return (f"the isolated self-test failed: {result.import_error or ''} "
            f"{result.probes[0].error or ''} {log}")


class SelfTesting:
    """``Sandbox``'s self-test: alone at start-up, or riding along (direct sandbox)."""

    # Set by a direct sandbox in the full tier until the test has passed: what the
    # fallback needs (the weaker tier's description, whether full isolation is required).
    _untested: tuple[str, bool] | None = None

    def _self_test(self) -> None:
        result = self.run(self_test_request())
        if not passed(result):
            raise GraderError(failure(result, log_tail(self._log)))

    def _test_alone(self) -> bool:
        """A pending self-test, alone (as at start-up); True when it made us fall back."""
        pending, self._untested = self._untested, None
        if pending is None:
            return False
        try:
            self._self_test()
        except (GraderError, OSError) as exc:
            self._fall_back(*pending, exc)
            return True
        return False

    def _run_many_testing(self, requests: tuple[SandboxRequest, ...]) -> tuple[SandboxResult, ...]:
        """The first shared run of a direct sandbox, with the self-test riding last;
        should it not confirm the tier, the test alone decides (and a fallback runs the
        requests again in the weaker tier)."""
        riding = self_test_request(riding_limits(requests))
        try:
            *results, test = self._run_many((*requests, riding))
        except GraderError:
            if self._test_alone():
                return self._run_many(requests)
            raise
        if passed(test):
            self._untested = None
        elif self._test_alone():
            return self._run_many(requests)
        return tuple(results)
