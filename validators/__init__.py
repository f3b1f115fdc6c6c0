"""Requirements of each market, evaluated over facts as of a date. Imports only pipeline/."""
