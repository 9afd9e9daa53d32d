"""thaidigest: watches Thai government news for digital-economy cooperation."""
