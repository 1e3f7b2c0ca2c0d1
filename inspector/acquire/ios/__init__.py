"""Live iPhone acquisition over usbmuxd/lockdown with pymobiledevice3 (docs/ios-live.md)."""
