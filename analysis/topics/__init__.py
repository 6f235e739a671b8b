"""Topic models behind one contract (gensim LDA, scikit-learn NMF, BERTopic), and their evaluation."""
