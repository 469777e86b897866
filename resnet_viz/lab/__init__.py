"""Residual-learning lab: small experiments that train and probe nets in seconds.

Modules: :mod:`.data` (scikit-learn's bundled digits, upsampled), :mod:`.train`
(plain vs residual training: the degradation problem), :mod:`.captions`
(sentences generated from the measured numbers), :mod:`.landscape` (Li et al.
2018), :mod:`.paths` (Veit et al. 2016) and :mod:`.shatter` (Balduzzi et al. 2017).
"""
