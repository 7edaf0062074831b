"""Turns a loaded catalogue into the published site. Knows nothing about YAML or schemas."""
