"""Jobs: the `Job` node, the `job` and `jobs` queries and the `requestExport` mutation
(an asynchronous export a worker writes; the caller polls `job`).

Rules: R1 (an export needs the menu of the data it exports, checked by the export's
kind; an administrator sees every job of its partner, anyone else only its own).
"""
