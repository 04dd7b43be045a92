"""Recommendations for the heads of the two hospitals, chosen from the pair's own answers.

The rules are method data (``recommendations:`` in a method file, read by ``loading``); the
small vocabulary of conditions they are written in is ``conditions``; ``rules.applicable``
says which apply to a partnership's answers (read and named by ``reading``), and why.
"""
