"""An eval's samples and prompts: datasets, data checks, prompt rendering, sample selection, data cards."""
