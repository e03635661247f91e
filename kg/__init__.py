"""kg: news articles -> spaCy extraction records -> YAML mapping -> RDF files or Neo4j."""

__version__ = "0.1.0"
