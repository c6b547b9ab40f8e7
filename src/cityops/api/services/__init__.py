"""What the route handlers call: reading, filtering to scope and shaping the workspace's
stores for HTTP, so that handlers stay a few lines each."""
