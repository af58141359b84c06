"""cnc-kg: the linked-data knowledge graph of the Franco-Chinese Carbon Neutrality Center."""

__version__ = "0.1.0"
