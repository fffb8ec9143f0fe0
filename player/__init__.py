"""Player layouts: resolve, check, preview and embed the JSON layouts of the music player."""
