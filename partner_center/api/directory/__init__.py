"""The caller and its partner: `viewer`, the `User` and `Partner` nodes, and `node`.

Rules: R1 (an administrator sees its partner's users, anyone else only itself; a caller
sees only its own partner). An object the caller may not see resolves to null, never an
error that would confirm it exists.
"""
