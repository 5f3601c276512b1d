"""ObjectOS go-live checks."""
