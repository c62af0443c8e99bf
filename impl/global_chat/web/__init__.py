"""The HTTP side: the Connexion app, its middleware, error rendering and credentials."""
