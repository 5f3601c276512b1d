"""The go-live checklist: the item list and the CrossGuard policy pack that enforces it."""
