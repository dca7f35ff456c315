"""The local web app and JSON API (``levelhead serve``): every journey in a browser, on this computer only."""
