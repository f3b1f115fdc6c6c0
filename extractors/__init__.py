"""Classification and extraction: pages in, typed facts with provenance out. Imports only pipeline/."""
