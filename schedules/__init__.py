"""The schedule file and the daemon that runs it: ``thaidigest run``, ``schedule``, ``status``."""
