"""Customers: the `Customer` node and its connection, customer managers, assignment, and
the alerts raised on customers (list, view, handle singly or in batches).

Rules: R1 (the customers menu), R2 (a customer manager sees and is assigned only its own
customers, and their alerts), R5 (a manager counts a customer's consumption from the day
after its assignment). Nested fields of a page (manager, customer, month consumption) go
through the request's DataLoaders, so a page of 100 reads as many DynamoDB requests as a
page of 10. An object the caller may not see resolves to null, never an error that would
confirm it exists.
"""
