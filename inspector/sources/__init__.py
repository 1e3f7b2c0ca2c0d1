"""Offline inputs: things on this computer (folders, backups, archives) rather than a live phone."""
