"""Reports of findings (text, JSON, SARIF, GitHub), the inspect listing and the section reference.
Formats what validation found; imports validation, model and the bottom modules, never cli."""
