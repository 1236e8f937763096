"""Evidence: file digests, run manifests and the capture of a command's run."""
