"""What the YAML says: typed specs, the loader, the workspace, the YAML reader and the JSON Schemas."""
