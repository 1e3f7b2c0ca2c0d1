"""Offline iPhone inputs: iTunes/Finder backups (plain and encrypted), sysdiagnose archives, crash-log
folders (docs/ios.md)."""
