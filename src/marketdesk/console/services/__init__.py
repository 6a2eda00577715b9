"""Writes of the console: claim and assign cases, round-robin within teams, macros, satisfaction surveys.

Each service is one transaction; a case is locked after its order (CONTRIBUTING's fixed
order), so two operators claiming one case queue on the row and the second is told
who won. Every operator and administrator action appends an audit entry in the same
transaction.
"""
