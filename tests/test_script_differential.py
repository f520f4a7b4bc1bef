"""validate's judgement of the script part against the guest's real runner
(scripts/script_differential.py): RunUserDataScript's grep, sed and awk (guest-format.md §1.6),
then the extracted file run by bash as `sh` with recording stubs. A bounded sample runs here;
the script itself runs thousands."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import script_differential as differential


def test_validate_agrees_with_the_guests_runner_on_generated_scripts() -> None:
    outcomes = differential.run(count=80, seed=11)
    wrong = [o for o in outcomes if not (o.agree_a and o.agree_b)]
    assert not wrong, "\n----\n".join(
        f"{o.guest_a}/{o.ours_a} {o.guest_b}/{o.ours_b}\n{o.script}" for o in wrong
    )
    # The sample must hold every verdict, or it proves little.
    assert {o.guest_a for o in outcomes} == {"stops", "reads-ini"}
    assert {o.guest_b for o in outcomes} == {"same", "text", "commands"}
    undecided = sum(o.ours_a == "undecided" for o in outcomes)
    assert undecided < len(outcomes) // 4
