"""Server-rendered pages: the authorize login / consent page and the state dashboard."""
