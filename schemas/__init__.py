"""The JSON Schemas of policycheck's public formats (shipped inside the wheel)."""
