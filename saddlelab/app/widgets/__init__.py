"""Small widgets and legend text the views and panels share."""
