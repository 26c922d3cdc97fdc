"""The case study that ships with framing: one Sputnik article (14 Sep 2023) against other coverage of Kim Jong Un's
visit to Russia, the event corpus in ``corpus/``. Its tables (``tables``), the figure build behind ``framing figures``
(``figures``) and the training of the shipped detectors (``train``) live here, apart from the library.
"""
