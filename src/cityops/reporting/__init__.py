"""Reports (报告): an evaluation run rendered for people, as one self-contained HTML file."""
