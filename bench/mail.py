"""The msg worker's throughput (issue 15, figure 4): mails/s of one msg worker process
into the stack's SMTP sink.

The worker (supervisord's ``workers:msg``, the stack's one msg process) is stopped,
N mail jobs are queued with the project's own publisher (``common.queues.MAIL`` through
``common.amqp.AmqpClient``, logged in as signup, publisher confirms), then the worker
is started and the sink's Maildir watched until all N have arrived. The figure is the
worker's steady rate, (N - 1) / (last arrival - first arrival) from the files' mtimes,
so the worker's start-up is not in it; the time from its start to the last mail is
printed beside it, and so is the publisher's rate.

Its ceiling, measured next in the same run: the sink alone — the same mail (composed
once per recipient beforehand, ``services.msg.compose``) sent by one client doing nothing
else, over one pipelining connection (``services.msg.mailer.send_pipelined``), to the
stack's sink and, for comparison, to a bare aiosmtpd whose handler keeps nothing
(``aiosmtpd.handlers.Sink``). CPU per mail of the worker and of each sink is read from
``/proc/<pid>/stat``: on this shared machine a more honest figure than a rate.

Exits non-zero only when a mail does not arrive (within 120 s of the last one before it)
or a job cannot be queued. The worker is started again whatever happens. Usage:
``TESSERA_STACK=test .venv/bin/python bench/mail.py [--quick] [--jobs 2000]``
"""
from __future__ import annotations

import argparse
import email.parser
import email.policy
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.results import result  # noqa: E402
from bench.lib.stack import bench_stack  # noqa: E402
from common.amqp import AmqpClient  # noqa: E402
from common.catalog import service_user  # noqa: E402
from common.config import etcd_client, read_namespace  # noqa: E402
from common.queues import MAIL  # noqa: E402
from devstack import manager, rabbitmq_access  # noqa: E402
from services.msg.mailer import message_for, send_pipelined  # noqa: E402
from services.msg.templates import Renderer  # noqa: E402

PROGRAM = "workers:msg"
TARGET = 500.0  # mails/s per worker process (issue 15)
STALL = 120.0   # seconds without a new mail before the run counts as failed


def publisher(stack) -> AmqpClient:
    """An AMQP client as signup's RabbitMQ user, declaring nothing: what the services use."""
    return AmqpClient(read_namespace(etcd_client(), "common")["amqp_url"], declare=False,
                      username=service_user("signup"), password=rabbitmq_access.passwords(stack)["signup"])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def program_pid(stack, program: str) -> int:
    from devstack import supervisor

    return supervisor.rpc(stack).supervisor.getProcessInfo(program)["pid"]


def arrivals(new_dir: Path, before: set[str], wanted: str, seen: dict[str, int]) -> None:
    """Add to ``seen`` (file name → mtime in ns) every new mail in ``new_dir`` whose
    ``To`` holds ``wanted``; each file is parsed once."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    with os.scandir(new_dir) as entries:
        for entry in entries:
            if entry.name in before or entry.name in seen:
                continue
            try:
                with open(entry.path, "rb") as f:
                    headers = parser.parse(f)
                mtime = entry.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            if wanted in str(headers.get("To", "")):
                seen[entry.name] = mtime
            else:
                before.add(entry.name)  # someone else's: never looked at again


def sink_alone(port: int, pid: int, prefix: str, count: int) -> tuple[float, float]:
    """Send ``count`` composed mails to ``<prefix><i>@example.org`` over one pipelining
    connection to the SMTP server on ``port`` (process ``pid``); return mails/s and the
    server's CPU ms per mail. Raises OSError/SMTPException when it refuses one."""
    mail = Renderer(["en"], "en").render_mail("email_code", "en", {"code": "123456", "ttl_minutes": 10})
    messages = [message_for(mail, f"{prefix}{i}@example.org", "Tessera <no-reply@tessera.example>",
                            "no-reply@tessera.example", f"{prefix}{i}") for i in range(count)]
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo()
        if not smtp.has_extn("pipelining"):
            raise smtplib.SMTPException(f"the server on {port} does not offer PIPELINING")
        cpu, started = cpu_seconds(pid), time.perf_counter()
        for message in messages:
            send_pipelined(smtp, message)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    return count / elapsed, cpu * 1000 / count


def bare_aiosmtpd(prefix: str, count: int) -> tuple[float, float]:
    """``sink_alone`` against a fresh ``python -m aiosmtpd`` whose handler keeps nothing
    (``aiosmtpd.handlers.Sink``), offering PIPELINING as the stack's sink does."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-c", BARE_SINK, str(port)])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        return sink_alone(port, server.pid, prefix, count)
    finally:
        server.terminate()
        server.wait(10)


#: a bare aiosmtpd server on port argv[1]: aiosmtpd's Sink handler plus PIPELINING
BARE_SINK = """
import asyncio, sys
from aiosmtpd.handlers import Sink
from aiosmtpd.smtp import SMTP
class Piped(Sink):
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Piped()), "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 jobs (a smoke run)")
    parser.add_argument("--jobs", type=int, default=2000)
    args = parser.parse_args()
    jobs = 200 if args.quick else args.jobs
    stack = bench_stack()
    new_dir = stack.mail_dir / "new"
    run = uuid.uuid4().hex[:8]
    wanted = f"mailbench-{run}-"
    client = publisher(stack)
    manager.control(stack, "stop", PROGRAM)
    try:
        before = set(os.listdir(new_dir))
        started = time.perf_counter()
        for i in range(jobs):
            MAIL.publish(client, {"template": "email_code", "to": f"{wanted}{i}@example.org", "language": "en",
                                  "context": {"code": f"{i % 1000000:06d}", "ttl_minutes": 10}})
        published = time.perf_counter() - started
        print(f"queued {jobs} mail jobs in {published:.2f} s ({jobs / published:.0f}/s, one publisher, confirms)")
        worker_start_ns = time.time_ns()
        manager.control(stack, "start", PROGRAM)
    finally:
        client.close()
        if not manager.is_program_healthy(stack, PROGRAM):
            manager.control(stack, "start", PROGRAM)
    seen: dict[str, int] = {}
    last_progress, last_count = time.monotonic(), 0
    worker, sink = program_pid(stack, PROGRAM), program_pid(stack, "smtp")
    cpu_start: tuple[int, float, float] | None = None  # mails seen, worker's and sink's CPU then
    while len(seen) < jobs and time.monotonic() - last_progress < STALL:
        arrivals(new_dir, before, wanted, seen)
        if seen and cpu_start is None:
            cpu_start = (len(seen), cpu_seconds(worker), cpu_seconds(sink))
        if len(seen) > last_count:
            last_progress, last_count = time.monotonic(), len(seen)
        time.sleep(0.1)
    cpu_end = (cpu_seconds(worker), cpu_seconds(sink))
    if len(seen) < jobs:
        for name in seen:
            (new_dir / name).unlink(missing_ok=True)
        print(f"FAILED: {jobs - len(seen)} of {jobs} mails never arrived", file=sys.stderr)
        return 1
    for name in seen:  # the Maildir outlives the tests' data wipe: leave it as it was
        (new_dir / name).unlink(missing_ok=True)
    stamps = sorted(seen.values())
    steady = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1e9) if stamps[-1] > stamps[0] else float("inf")
    whole = (stamps[-1] - worker_start_ns) / 1e9
    counted = len(seen) - cpu_start[0]
    worker_ms = (cpu_end[0] - cpu_start[1]) * 1000 / counted if counted else float("nan")
    sink_ms = (cpu_end[1] - cpu_start[2]) * 1000 / counted if counted else float("nan")
    print(f"CPU per mail (the last {counted}): msg worker {worker_ms:.2f} ms, SMTP sink {sink_ms:.2f} ms "
          f"(/proc/<pid>/stat; the worker's ceiling on one core: {1000 / worker_ms:.0f} mails/s)")
    print(f"{jobs} mails in the sink: first {(stamps[0] - worker_start_ns) / 1e9:.2f} s after the worker's start, "
          f"last {whole:.2f} s; steady rate {steady:.0f} mails/s (one msg worker process)")
    alone_prefix = f"mailbench-{run}-alone-"
    alone, alone_ms = sink_alone(stack.ports["smtp"], sink, alone_prefix, jobs)
    filed: dict[str, int] = {}
    deadline = time.monotonic() + STALL
    while len(filed) < jobs and time.monotonic() < deadline:  # each was filed before its 250: this is the clean-up
        arrivals(new_dir, before, alone_prefix, filed)
    for name in filed:
        (new_dir / name).unlink(missing_ok=True)
    if len(filed) < jobs:
        print(f"FAILED: the sink answered 250 for {jobs} mails but filed {len(filed)}", file=sys.stderr)
        return 1
    bare, bare_ms = bare_aiosmtpd(alone_prefix, jobs)
    print(f"ceiling, one client doing nothing but send (pipelining, one connection): the stack's sink {alone:.0f} "
          f"mails/s at {alone_ms:.2f} ms CPU per mail; a bare aiosmtpd (handler keeps nothing) {bare:.0f} mails/s "
          f"at {bare_ms:.2f} ms")
    result("msg worker: mails/s into the SMTP sink", steady, "mails/s", target=f">= {TARGET:.0f}",
           sink_alone_per_s=round(alone, 1), bare_aiosmtpd_per_s=round(bare, 1),
           jobs=jobs, start_to_last_s=round(whole, 2), worker_cpu_ms_per_mail=round(worker_ms, 2),
           sink_cpu_ms_per_mail=round(sink_ms, 2), publish_per_s=round(jobs / published, 1),
           command=f"bench/mail.py --jobs {jobs} (queued with the worker stopped, then {PROGRAM} started; "
                   f"rate from the sink's file times)")
    result("SMTP sink alone: mails/s from one pipelining client (the worker's ceiling)", alone, "mails/s",
           ceiling="bare aiosmtpd, handler keeps nothing", ceiling_value=bare, sink_cpu_ms_per_mail=round(alone_ms, 2),
           bare_cpu_ms_per_mail=round(bare_ms, 2),
           command=f"bench/mail.py: {jobs} composed mails over one SMTP connection with PIPELINING, "
                   f"to the stack's sink, then to a bare aiosmtpd")
    return 0


if __name__ == "__main__":
    # a SIGTERM (an interrupted make bench) unwinds through main's finally, which starts the
    # stopped worker again: the scripts after this one need it
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sys.exit(main())
