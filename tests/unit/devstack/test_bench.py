"""make bench's runner (devstack.bench) and the bench library's pure parts: the RESULT
protocol, targets, the summary table, wrk's report and the SPA size reader."""
from __future__ import annotations

import gzip
import json
import textwrap
from pathlib import Path

import pytest

from bench.lib import wrk
from bench.lib.results import result
from devstack import bench


def test_a_result_line_round_trips_with_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    entry = result("login/s", 45.5, "logins/s", ceiling="argon2", ceiling_value=52.0, target=">= 0.85",
                   command="wrk …", p99_ms=80.0)
    line = capsys.readouterr().out
    assert line.startswith("RESULT ") and line.endswith("\n")
    assert bench.parse_result(line) == entry
    assert entry["ratio"] == 0.875 and entry["p99_ms"] == 80.0


@pytest.mark.parametrize("line", [
    'RESULT {"value": 1}',
    'RESULT {"figure": "x", "value": "fast"}',
    'RESULT {"figure": "x", "value": true}',
    'RESULT [1, 2]',
    'RESULT {"figure": "x", "value": 1',
])
def test_a_malformed_result_line_is_an_error(line: str) -> None:
    with pytest.raises(ValueError):
        bench.parse_result(line)


def test_other_lines_are_no_result() -> None:
    assert bench.parse_result("round 1 hello 4000 req/s") is None
    assert bench.parse_result(" RESULT {}") is None


@pytest.mark.parametrize(("entry", "met"), [
    ({"figure": "a", "value": 300, "ratio": 0.61, "target": ">= 0.6"}, True),
    ({"figure": "a", "value": 300, "ratio": 0.59, "target": ">= 0.6"}, False),
    ({"figure": "m", "value": 1100, "target": "<= 1024"}, False),
    ({"figure": "m", "value": 1000, "target": "<=1024"}, True),
    ({"figure": "m", "value": 1000}, None),
    ({"figure": "m", "value": 1000, "target": "fast"}, None),
])
def test_a_target_applies_to_the_ratio_else_the_value(entry: dict, met: bool | None) -> None:
    assert bench.target_met(entry) is met


def test_the_summary_has_a_row_per_figure_its_command_and_the_failures() -> None:
    runs = [
        bench.ScriptRun("request_path", results=[
            {"figure": "authenticated read", "value": 2500.0, "unit": "req/s", "ceiling": "hello",
             "ceiling_value": 4000.0, "ratio": 0.625, "target": ">= 0.6", "command": "wrk -t2 -c8 -d5s URL"}]),
        bench.ScriptRun("memory", returncode=1, results=[
            {"figure": "stack memory at rest (PSS)", "value": 1100.0, "unit": "MiB", "target": "<= 1024"}]),
        bench.ScriptRun("mail", malformed=["RESULT {oops"]),
    ]
    text = bench.summary(runs)
    rows = text.splitlines()
    read = next(r for r in rows if "authenticated read" in r)
    assert "2,500 req/s" in read and "4,000 hello" in read and "0.625" in read and read.rstrip().endswith("yes")
    memory = next(r for r in rows if "stack memory" in r)
    assert "1,100 MiB" in memory and memory.rstrip().endswith("NO")
    assert "  [1] wrk -t2 -c8 -d5s URL" in rows
    assert "FAILED memory: exit 1" in text and "FAILED mail: malformed RESULT lines" in text
    assert "RESULT {oops" in text
    assert "request_path" not in "".join(r for r in rows if r.startswith("FAILED"))


def test_select_picks_scripts_by_name_and_refuses_unknown_ones() -> None:
    scripts = [Path("bench/login.py"), Path("bench/memory.py")]
    assert bench.select(scripts, []) == scripts
    assert bench.select(scripts, ["memory.py"]) == [Path("bench/memory.py")]
    with pytest.raises(ValueError, match="no bench script nope"):
        bench.select(scripts, ["login", "nope"])


def test_a_script_is_run_and_its_results_and_exit_gathered(tmp_path: Path) -> None:
    script = tmp_path / "fake.py"
    script.write_text(textwrap.dedent("""
        import sys
        print("hello")
        print('RESULT {"figure": "f", "value": 2, "unit": "x"}')
        print("RESULT nonsense")
        sys.exit(3)
    """))
    run = bench.run_script(script, [], {}, tmp_path)
    assert run.returncode == 3 and run.failed
    assert run.results == [{"figure": "f", "value": 2, "unit": "x"}]
    assert run.malformed == ["RESULT nonsense"]


def test_wrk_report_is_read_in_milliseconds_with_errors_counted() -> None:
    data = {"requests": 5000, "duration_us": 2_000_000, "p50_us": 1500, "p90_us": 2500, "p99_us": 9000,
            "max_us": 20000, "connect": 1, "read": 2, "write": 0, "status": 4, "timeout": 3}
    run = wrk.parse("Running 2s test\nWRK_JSON " + json.dumps(data) + "\n", 0.5, "wrk …")
    assert run.rps == 2500 and run.p50_ms == 1.5 and run.p99_ms == 9.0
    assert run.errors == 6 and run.bad_status == 4 and run.failed == 10 and run.cpu_seconds == 0.5
    with pytest.raises(wrk.WrkFailed):
        wrk.parse("unable to connect to localhost:1 Connection refused", 0.0, "wrk …")


def test_the_initial_js_is_what_index_html_loads_gzipped(tmp_path: Path) -> None:
    from bench.memory import initial_js_gzip

    (tmp_path / "a.js").write_text("x" * 5000)
    (tmp_path / "b.js").write_text("let y = 1;\n" * 300)
    (tmp_path / "lazy.js").write_text("never counted")
    (tmp_path / "index.html").write_text('<html><head><script defer="defer" src="/a.js"></script>'
                                         '<link rel="modulepreload" href="/b.js"></head></html>')
    size, names = initial_js_gzip(tmp_path)
    assert names == ["/a.js", "/b.js"]
    assert size == len(gzip.compress(b"x" * 5000, 9)) + len(gzip.compress(b"let y = 1;\n" * 300, 9))


def test_the_memory_figure_names_its_topology_and_drops_the_test_replicas_for_the_dev_one() -> None:
    from bench.memory import replica_pids, topology
    from devstack.topology import get_stack

    stack = get_stack("test-3")
    trees = {"personal_data-1": {10, 11, 12}, "personal_data-2": {20, 21, 22}, "jsconfig": {30, 31},
             "am-1": {40}, "am-2": {50}, "msg": {60}, "mongo": {70}}
    assert replica_pids(stack, trees) == {20, 21, 22, 50}
    shape = topology(stack, trees)
    assert shape.startswith("test-3 stack: ")
    assert "personal_data ×2 (2 workers, configured 2)" in shape and "jsconfig ×1 (1 worker, configured 1)" in shape
    assert "am ×2" in shape and "msg ×1" in shape and "mongo" not in shape
    assert replica_pids(get_stack("dev"), {"personal_data": {1, 2, 3}, "am": {4}}) == set()


def test_the_profile_tables_count_only_samples_on_the_cpu() -> None:
    from bench.lib.profile import summarise

    collapsed = "\n".join([
        "process 1;handle (gunicorn/workers/sync.py:10);find_one (pymongo/collection.py:5) 6",
        "process 1;handle (gunicorn/workers/sync.py:12);dumps (json/encoder.py:3) 2",
        "process 1;Thread.run (threading.py:9);time_sleep (x);clock_nanosleep (libc.so.6) 90",
        "process 1;run (pymongo/periodic_executor.py:1);pthread_cond_timedwait (libc.so.6);0x7f00 (libc.so.6) 40",
    ])
    text = summarise(collapsed)
    assert text.startswith("8 samples on the CPU (130 waiting, left out)")
    assert "100.0%  handle (gunicorn/workers/sync.py)" in text
    assert " 75.0%  find_one (pymongo/collection.py)" in text
    assert " 25.0%  dumps (json/encoder.py)" in text
    assert "clock_nanosleep" not in text and "0x7f00" not in text


def test_file_pages_count_each_file_once_at_its_largest() -> None:
    import os

    from bench.memory import file_pages_once_kib

    me = file_pages_once_kib([os.getpid()])
    # this interpreter maps its own binary or libpython: some file pages, counted once
    # however often the same process is named
    assert me > 0
    assert file_pages_once_kib([os.getpid(), os.getpid()]) == me
    assert file_pages_once_kib([2 ** 22 + 7]) == 0  # no such process: nothing
