"""The floor of ``bench/checkout.py``: the least a correct checkout must run, in plain Django.

Not part of the product: a tiny Django project of its own (settings, one app,
two views) that does in one transaction what any correct checkout has to do,
so the benchmark can say how close Seams comes to it.
"""
