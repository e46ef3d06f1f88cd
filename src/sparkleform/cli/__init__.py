"""The `sparkleform` command (click). Each verb group lives in its own module, loaded lazily."""
