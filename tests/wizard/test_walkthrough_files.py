"""The walkthrough replayed with the CLI gives exactly the files in samples/walkthrough/."""

from __future__ import annotations

from pathlib import Path

import pytest
import walkthrough as w

import iisftp


@pytest.mark.parametrize(
    ("name", "replay"), [("wizard", w.wizard_path), ("hand-edit", w.hand_edit_path)]
)
def test_replay_matches_sample(tmp_path: Path, name: str, replay) -> None:
    w.prepare(tmp_path)
    replay(tmp_path)
    produced = (tmp_path / "applicationHost.config").read_text(encoding="utf-8")
    sample = (w.SAMPLES / name / "applicationHost.config").read_text(encoding="utf-8")
    assert w.normalized(produced) == w.normalized(sample)


@pytest.mark.parametrize("name", ["start", "wizard", "hand-edit"])
def test_samples_validate_clean(name: str) -> None:
    path = w.SAMPLES / name / "applicationHost.config"
    config = iisftp.load(path, variables={"SystemDrive": "/srv"})
    problems = [d for d in config.validate() if d.severity in ("error", "warning")]
    assert problems == []
