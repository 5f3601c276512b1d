"""One CrossGuard policy per checklist item, grouped by concern."""
