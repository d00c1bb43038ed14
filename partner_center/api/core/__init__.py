"""What every area's GraphQL layer shares: global IDs, money, pagination, DataLoaders,
payload errors and the one way a mutation runs (`mutations.run_mutation`)."""
