enum PlaceholderKeyhavenApp {}
