"""Free-text triage: what a buyer types → one of the triage labels, in English or Russian."""
