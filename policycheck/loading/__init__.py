"""Loading: text -> data with positions -> schema validation -> model objects."""
