"""Trade-policy instruments and the rules that hold them."""
