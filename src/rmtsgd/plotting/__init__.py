"""Paper figures: one shared style and one function per figure, each returning a Figure."""
