"""Auditing a whole hub: many repositories linted in parallel, one report on the commons.

`inputs` reads the sources, `work` lints in worker processes, `indicators` says what a record
means for the commons, `summary` adds records up, `output` writes and resumes the JSON Lines,
`run` is the `commonslint audit` command; the HTML report is `commonslint.report.audit_html`.
"""
