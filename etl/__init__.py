"""Landing files → warehouse: normalize, dedupe, tag skills, build the research views, publish."""
