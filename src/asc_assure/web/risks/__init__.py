"""Risk register pages: the register, a risk with its score history, add/edit/re-score, the heat map."""
