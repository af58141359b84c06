"""Store layer: the only code that knows which SPARQL engine answers (see ``base.Store``)."""
