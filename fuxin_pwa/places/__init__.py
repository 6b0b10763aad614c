"""Places, households and assignments: the map every other area hangs its records on."""
