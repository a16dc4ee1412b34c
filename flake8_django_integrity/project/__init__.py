"""What the plugin knows about the project: its layout, modules, models and the cache of those facts."""
