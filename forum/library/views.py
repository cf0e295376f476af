"""The resource library's pages and forms."""
