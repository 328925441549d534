"""Budget monitoring pages: a month's lines with variance RAG, the trend, savings, and the import upload."""
