"""Where agencies publish: discovery on listing pages and article pages."""
