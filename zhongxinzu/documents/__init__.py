"""Documents as pure functions: records in, .docx/.xlsx bytes out (GB/T 9704 layout)."""
