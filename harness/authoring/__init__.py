"""Contributing a task: validate, duplicates, changes, preview, listing and the scaffold."""
