"""The parties' history: one searchable list of their conversations, cases, decisions and files."""
