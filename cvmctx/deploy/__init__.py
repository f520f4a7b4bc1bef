"""Deployments: a TOML spec (``spec``: its own tables, sections, per-host templates) turned into
the build and CD requests, for one machine or, with a hosts table, a fleet of them. Imports cd,
userdata, model, guest and the bottom of the stack."""
