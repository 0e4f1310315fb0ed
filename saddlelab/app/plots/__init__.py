"""The 2-D pyqtgraph views and their items."""
