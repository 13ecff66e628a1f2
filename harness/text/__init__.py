"""Language tools every layer uses: CJK scripts and the folding comparisons start with."""
