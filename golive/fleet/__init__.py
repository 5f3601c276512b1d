"""Many stacks at once: `golive preview --stacks all` and `golive verify --fleet FILE`.

workers.py runs one worker per stack (bounded, with timeouts), forked by a fork server so the
caller never forks; report.py is the combined report and the fleet's exit code; preview.py and
verify.py are the two commands (warm.py is what the preview's fork server imports first).
options.py (standard library only) adds their command-line options.
"""
