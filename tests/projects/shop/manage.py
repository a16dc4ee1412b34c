#!/usr/bin/env python
"""Root marker of the test project used by the cache and same-answer tests."""
