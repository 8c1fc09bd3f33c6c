enum PlaceholderKeyhavenHTTP {}
