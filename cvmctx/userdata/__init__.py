"""The build pipeline: a request to user-data text, carried-over parts, password hashes and the
encoding for a target. Imports model, guest and the bottom modules; never validation or cd."""
