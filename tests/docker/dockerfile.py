"""Read the Dockerfile, and run a stage's install steps on this machine (no Docker engine).

Only the syntax the Dockerfile uses is understood: line continuations, comments, ``FROM
… AS …``, and for ``run_stage`` the instructions ARG, ENV, WORKDIR, COPY and RUN. Any
other instruction in the stage run makes ``run_stage`` fail, naming it, rather than
guess what a build would do.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Instruction:
    """One instruction, its continuation lines joined."""

    keyword: str  # upper case
    args: str
    line: int  # where it starts, for messages


@dataclass
class Stage:
    """A ``FROM`` and the instructions up to the next one."""

    name: str | None
    base: str
    instructions: list[Instruction] = field(default_factory=list)


def instructions(text: str) -> list[Instruction]:
    """Every instruction of ``text``, continuation lines joined, comments dropped."""
    result: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#") or not line:
            continue  # comments, parser directives and blank lines, also inside a continuation
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        result.append(Instruction(keyword.upper(), args.strip(), start))
    return result


def stages(text: str) -> tuple[list[Instruction], list[Stage]]:
    """``(global ARGs before the first FROM, stages)``."""
    head: list[Instruction] = []
    found: list[Stage] = []
    for ins in instructions(text):
        if ins.keyword == "FROM":
            words = ins.args.split()
            words = [w for w in words if not w.startswith("--platform=")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            found.append(Stage(name, words[0]))
        elif found:
            found[-1].instructions.append(ins)
        else:
            head.append(ins)
    return head, found


def stage(text: str, name: str) -> Stage:
    """The stage called ``name``; AssertionError when there is none."""
    named = [s for s in stages(text)[1] if s.name == name]
    assert named, f"the Dockerfile has no stage named {name!r}"
    return named[0]


_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::([-+])([^}]*))?\}|(\w+))")


def expand(value: str, variables: dict[str, str]) -> str:
    """Dockerfile substitution: ``$V``, ``${V}``, ``${V:-default}``, ``${V:+alternative}``."""
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        current = variables.get(name, "")
        if match.group(2) == "-":
            return current or match.group(3)
        if match.group(2) == "+":
            return match.group(3) if current else ""
        return current
    return _VARIABLE.sub(substitute, value)


def _flags(args: str) -> tuple[list[str], str]:
    """Split the leading ``--flag=value`` words off ``args``."""
    flags = []
    while args.startswith("--"):
        flag, _, args = args.partition(" ")
        flags.append(flag)
        args = args.lstrip()
    return flags, args


def dockerignore_patterns(context: Path) -> list[str]:
    """The patterns of ``<context>/.dockerignore`` (no ``!`` exceptions: none are used)."""
    path = context / ".dockerignore"
    if not path.exists():
        return []
    lines = [line.strip() for line in path.read_text().splitlines()]
    patterns = [line.rstrip("/") for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), ".dockerignore exceptions (!) are not supported here"
    return patterns


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore ``patterns`` keep ``relative`` (a path in the context) out of the build."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(relative, pattern) or relative.startswith(pattern + "/"):
            return True
        if pattern.startswith("**/"):
            tail = pattern[3:]
            parts = relative.split("/")
            if any(fnmatch.fnmatchcase("/".join(parts[i:]), tail) or fnmatch.fnmatchcase(part, tail)
                   for i, part in enumerate(parts)):
                return True
    return False


def _copy(context: Path, sources: list[str], dest: Path, patterns: list[str]) -> None:
    """COPY's semantics for local sources: a directory's contents go into ``dest``; with
    several sources, or a ``dest`` ending in /, ``dest`` is a directory."""
    for source in sources:
        src = context / source
        assert src.exists(), f"COPY source {source} does not exist"
        relative = src.relative_to(context).as_posix()
        assert not ignored(relative, patterns), f"COPY source {source} is excluded by .dockerignore"
        if src.is_dir():
            for path in sorted(src.rglob("*")):
                rel = path.relative_to(context).as_posix()
                if path.is_dir() or ignored(rel, patterns):
                    continue
                target = dest / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        else:
            target = dest / src.name if (dest.is_dir() or len(sources) > 1) else dest
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def run_stage(text: str, name: str, *, context: Path, root: Path, build_args: dict[str, str],
              env: dict[str, str], log: Path) -> None:
    """Run the ARG/ENV/WORKDIR/COPY/RUN instructions of stage ``name`` as a build would,
    with the container's ``/`` at ``root`` (absolute WORKDIR and COPY paths land under
    it) and ``build_args`` as ``--build-arg``. RUN lines run with bash, their ``--mount``
    flags ignored, in ``env`` plus the stage's ARGs and ENVs; their output goes to
    ``log``. Raises AssertionError naming the instruction that failed."""
    head, _ = stages(text)
    global_args = {}
    for ins in head:
        if ins.keyword == "ARG":
            key, _, default = ins.args.partition("=")
            global_args[key] = build_args.get(key, default)
    variables: dict[str, str] = {}
    workdir = root
    workdir.mkdir(parents=True, exist_ok=True)
    patterns = dockerignore_patterns(context)

    def container_path(path: str) -> Path:
        return root / path.lstrip("/") if path.startswith("/") else workdir / path

    for ins in stage(text, name).instructions:
        where = f"Dockerfile line {ins.line}: {ins.keyword} {ins.args}"
        if ins.keyword == "ARG":
            key, has_default, default = ins.args.partition("=")
            if key in build_args:
                variables[key] = build_args[key]
            elif has_default:
                variables[key] = expand(default, variables)
            else:
                variables[key] = global_args.get(key, "")
        elif ins.keyword == "ENV":
            words = shlex.split(ins.args)
            if words and "=" not in words[0]:  # the legacy form: ENV KEY value
                words = [f"{words[0]}={' '.join(words[1:])}"]
            for word in words:
                key, _, value = word.partition("=")
                variables[key] = expand(value, {**env, **variables})
        elif ins.keyword == "WORKDIR":
            workdir = container_path(expand(ins.args, variables))
            workdir.mkdir(parents=True, exist_ok=True)
        elif ins.keyword == "COPY":
            flags, rest = _flags(ins.args)
            assert not any(f.startswith("--from") for f in flags), f"{where}: COPY --from is not supported here"
            words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            words = [expand(w, variables) for w in words]
            dest = container_path(words[-1])
            if words[-1].endswith("/") or len(words) > 2:
                dest.mkdir(parents=True, exist_ok=True)
            _copy(context, words[:-1], dest, patterns)
        elif ins.keyword == "RUN":
            _, command = _flags(ins.args)
            argv = json.loads(command) if command.startswith("[") else ["bash", "-c", command]
            with log.open("a") as out:
                out.write(f"\n### {where}\n")
                out.flush()
                result = subprocess.run(argv, cwd=workdir, env={**env, **variables}, stdout=out,
                                        stderr=subprocess.STDOUT)
            if result.returncode != 0:
                tail = "\n".join(log.read_text().splitlines()[-30:])
                raise AssertionError(f"{where}\nexited with {result.returncode}; the end of {log}:\n{tail}")
        else:
            raise AssertionError(f"{where}: only ARG, ENV, WORKDIR, COPY and RUN can be run here")


def lineage(text: str, name: str) -> list[Stage]:
    """Stage ``name`` and the stages it is built ``FROM``, the first ancestor first."""
    chain = [stage(text, name)]
    names = {s.name for s in stages(text)[1] if s.name}
    while chain[0].base in names:
        chain.insert(0, stage(text, chain[0].base))
    return chain


def local_sources(text: str, name: str) -> list[str]:
    """Every path of the build context that ends up in target ``name``'s image: the
    sources of the local COPYs of the stage and the stages it is built FROM, and of the
    stages it copies from (``COPY --from=<stage>``), recursively."""
    found: list[str] = []
    for current in lineage(text, name):
        for ins in current.instructions:
            if ins.keyword != "COPY":
                continue
            flags, rest = _flags(ins.args)
            words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            origin = next((f.partition("=")[2] for f in flags if f.startswith("--from=")), None)
            if origin is None:
                found += words[:-1]
            elif origin in {s.name for s in stages(text)[1]}:
                found += local_sources(text, origin)
    return found


def copy_files(text: str, name: str, *, context: Path, root: Path) -> Path:
    """Only the WORKDIR and local COPY instructions of target ``name`` and the stages it
    is built FROM, with the container's ``/`` at ``root``; return the final WORKDIR.
    For what a command run from the WORKDIR finds next to it (nothing is run here)."""
    workdir = root
    patterns = dockerignore_patterns(context)
    for current in lineage(text, name):
        for ins in current.instructions:
            if ins.keyword == "WORKDIR":
                workdir = root / ins.args.lstrip("/") if ins.args.startswith("/") else workdir / ins.args
                workdir.mkdir(parents=True, exist_ok=True)
            elif ins.keyword == "COPY":
                flags, rest = _flags(ins.args)
                if any(f.startswith("--from") for f in flags):
                    continue
                words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
                dest = root / words[-1].lstrip("/") if words[-1].startswith("/") else workdir / words[-1]
                if words[-1].endswith("/") or len(words) > 2:
                    dest.mkdir(parents=True, exist_ok=True)
                _copy(context, words[:-1], dest, patterns)
    return workdir


def stage_user(text: str, name: str) -> str | None:
    """The last ``USER`` of stage ``name`` (None: the base image's, usually root)."""
    users = [ins.args for ins in stage(text, name).instructions if ins.keyword == "USER"]
    return users[-1] if users else None


def clean_env(tmp: Path, python: Path) -> dict[str, str]:
    """An environment like a fresh image's: ``python``/``python3`` are ``python`` (first
    on PATH), no virtualenv, no PYTHONPATH, HOME in ``tmp``. pip's configuration and cache
    stay those of this machine."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for alias in ("python", "python3"):
        link = bin_dir / alias
        if not link.exists():
            link.symlink_to(python)
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PIP_REQUIRE_VIRTUALENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and "/.venv/" not in p + "/"]
    env["PATH"] = os.pathsep.join([str(bin_dir), *path])
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env["HOME"] = str(home)
    if "XDG_CACHE_HOME" not in env and "PIP_CACHE_DIR" not in env:
        # pip's cache is fine to share: keep using this machine's
        env["PIP_CACHE_DIR"] = str(Path(os.environ.get("HOME", "/root")) / ".cache" / "pip")
    return env
