"""The coordinators' web console at /admin: see app.py."""
