"""Templates and schedules published in the console, laid over the files on disk (issue 27): the
folders the rest of the product reads (`overlay`)."""
