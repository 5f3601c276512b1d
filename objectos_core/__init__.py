"""The kit's domain facts: the checklist, limits, headers, WAF rules, schedules, pins and names.

Standard library only, and importing nothing else of the kit: settings, components,
the policy pack (from its own virtualenv) and the live verifier all read the facts here.
"""
