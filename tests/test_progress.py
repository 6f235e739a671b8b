"""Progress off a terminal: a few log lines with counts and rate, not hundreds of redraws."""

import logging

from analysis.progress import LogProgress


def test_off_a_terminal_progress_logs_each_tenth_at_most_every_two_seconds_and_once_at_the_end(caplog):
    now = [0.0]
    bar = LogProgress(total=628, desc="embedding", unit="texts", clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="analysis.progress"), bar:
        for _ in range(628):
            now[0] += 0.05  # 20 texts a second: 31 s in all
            bar.update(1)
    lines = [record.getMessage() for record in caplog.records]
    assert 8 <= len(lines) <= 11, lines  # one per tenth, not 628
    assert lines[0].startswith("embedding: 63/628 texts (10%), 20.0 texts/s")
    assert lines[-1] == "embedding: done, 628/628 texts (100%), 20.0 texts/s, 31 s"


def test_a_fast_loop_logs_only_its_end_and_a_slow_one_without_total_every_thirty_seconds(caplog):
    now = [0.0]
    with caplog.at_level(logging.INFO, logger="analysis.progress"):
        with LogProgress(total=1000, desc="fast", unit="docs", clock=lambda: now[0]) as bar:
            for _ in range(1000):
                now[0] += 0.001
                bar.update(1)
        with LogProgress(total=None, desc="open-ended", unit="docs", clock=lambda: now[0]) as bar:
            for _ in range(100):
                now[0] += 1.0
                bar.update(1)
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(":")[0] for line in lines] == ["fast", "open-ended", "open-ended", "open-ended", "open-ended"]
    assert lines[1] == "open-ended: 30 docs, 1.0 docs/s, 30 s"
