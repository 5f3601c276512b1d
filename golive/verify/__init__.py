"""`python -m golive verify`: prove that a deployed stack keeps what its settings promise.

checks.py and aws_checks.py judge observations (pure); http.py, tls.py, web.py,
access.py and aws.py observe; report.py prints; command.py ties them together.
"""
