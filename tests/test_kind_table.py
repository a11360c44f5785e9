# SPDX-License-Identifier: MIT
"""Tests of bench/kind_table.py: band_eval's and accuracy.py's per-take figures grouped by the take's kind."""
from __future__ import annotations

import json

from conftest import bench_module

kt = bench_module("kind_table")


def band_take(name: str, beat_f: float, meter_ok: bool, jumps: int) -> dict:
    return {"take": name, "crash": False, "beat": {"f": beat_f}, "bar": {"f": beat_f / 2}, "meter_ok": meter_ok,
            "entry_bars": 2.0, "entry_on_downbeat": True, "jumps_over": jumps}


def test_band_figures_group_by_kind_and_keep_only_the_sets_asked():
    report = {"sets": {"sim4": {"takes": [band_take("blues_12-8_A-major_s03", 0.4, False, 1),
                                          band_take("blues_12-8_C-minor_s13", 0.8, False, 0),
                                          band_take("bossa_4-4_D-minor_s10", 1.0, True, 0)]},
                       "sim4-held": {"takes": [band_take("bossa_4-4_Ab-minor_s00", 0.2, True, 0)]}}}
    figs = kt.band_figures(report, {"sim4"})
    assert sorted(figs) == ["blues", "bossa"] and len(figs["blues"]) == 2 and len(figs["bossa"]) == 1
    rows = {line.split()[0]: line.split() for line in kt.table(figs)[1:]}
    assert rows["blues"][1] == "2" and float(rows["blues"][2]) == 0.6   # mean beat F of 0.4 and 0.8
    assert float(rows["blues"][-1]) == 0.5                              # one of the two jumped
    assert rows["ALL"][1] == "3" and float(rows["bossa"][4]) == 1.0     # meter ok
    assert len(kt.band_figures(report, None)["bossa"]) == 2


def test_listener_figures_read_accuracy_lines(tmp_path):
    text = ("  sim4/funk_4-4_A-dorian_s21: key online=0.30 key exact online=0.00 meter online=0.00 "
            "beat F-measure online=0.38 downbeat F online=0.09\n"
            "  sim4/funk_4-4_F-mixolydian_s01: key online=1.00 key exact online=1.00 meter online=1.00 "
            "beat F-measure online=0.96 downbeat F online=0.93\n"
            "== sim4\n  beat F-measure online   0.685  (n=24)\n")
    figs = kt.listener_figures(text.splitlines(), None)
    assert list(figs) == ["funk"] and len(figs["funk"]) == 2
    assert abs(figs["funk"][1]["beat F-measure online"] - 0.96) < 1e-9
    path = tmp_path / "acc.txt"
    path.write_text(text)
    report = tmp_path / "band.json"
    report.write_text(json.dumps({"sets": {}}))
    assert kt.main(["--listener", str(path), "--band", str(report)]) == 0
