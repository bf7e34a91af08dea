"""Users: accounts, registration, JWT issuing and profiles."""
