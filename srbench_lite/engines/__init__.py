"""Built-in search engines: ``gp`` (genetic programming) and ``neural``, over shared ``common`` code."""
