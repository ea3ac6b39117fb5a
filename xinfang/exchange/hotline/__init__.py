"""12345 hotline work orders in and out (docs/hotline.md): ``schema`` (PURE) reads and checks
a file; ``services`` imports it (dry run, all-or-nothing, idempotent); ``selectors`` writes the
answers back."""
