"""Parsers of iPhone artifacts (pure: bytes or a file in, records out) and the view of an iOS
acquisition that the iOS checks read (evidence.py). See docs/ios.md."""
