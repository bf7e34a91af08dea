"""The bounded apps. None imports another: they meet only in ``contracts``."""
