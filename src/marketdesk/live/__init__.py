"""Live updates: events addressed to users, streamed to their open pages as server-sent events."""
