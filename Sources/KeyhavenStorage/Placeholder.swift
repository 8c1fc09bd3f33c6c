enum PlaceholderKeyhavenStorage {}
