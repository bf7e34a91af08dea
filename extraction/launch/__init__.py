"""Start the documented processes: Procfile entries, and the local split deployment."""
