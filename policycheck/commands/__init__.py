"""One module per command: options in, an Outcome out; no click here (cli.py maps options to these)."""
