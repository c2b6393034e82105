"""The edge: command line, HTTP API and web pages."""
