"""What the plugin knows about the project: layout, modules, models, and their cache."""
