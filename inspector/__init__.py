"""inspector: did someone put something on this phone, and what did it take?"""

__version__ = "0.1.0"
