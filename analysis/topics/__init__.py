"""Topic models behind one contract (gensim LDA, scikit-learn NMF, BERTopic), and their evaluation."""

#: The topic backends, by name (the command line offers these without importing the libraries).
BACKEND_NAMES = ("bertopic", "lda", "nmf")
