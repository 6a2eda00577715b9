"""Date formats where Django's own do not suit a sentence (FORMAT_MODULE_PATH points here)."""
