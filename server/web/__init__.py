"""HTTP layer: the Flask app factory, its blueprints and the WSGI server."""
