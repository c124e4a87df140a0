"""Format adapters: one subpackage or module per foreign format (sniff, read, write)."""
