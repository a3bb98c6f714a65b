"""Views of results: Rich renderables for the terminal and the json/csv/markdown writers."""
