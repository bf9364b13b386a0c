"""Shared pieces of the ``bench/*.py`` scripts (issue 15): the RESULT line, wrk, the
bare "hello" twin of the stack, and the stack's processes.

Every script prints human-readable lines, then one ``RESULT {json}`` line per figure
(``/work/notes``' protocol, read by ``devstack.bench``), and exits non-zero only when
something failed — never because of a number.
"""
