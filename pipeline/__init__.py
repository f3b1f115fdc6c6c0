"""Bottom layer: shared models, ingestion, page text, OCR engines. Imports nothing else of ours."""
