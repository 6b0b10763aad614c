"""Backups that restore: one archive holds the database as of one moment, the uploaded files
and a manifest; a restore writes it into an empty database and empty folders.

services.py is what `flask backup` and `flask restore` call; archive.py the archive on disk;
sqlite.py and postgres.py the two kinds of database; tables.py what a database holds."""


class BackupError(Exception):
    """A backup or restore that cannot go on. The message is for the operator at a terminal,
    in Chinese and English (the CLI has no request, so no language of its own)."""
