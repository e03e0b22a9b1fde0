"""The rulebooks on Apache Spark: `chuangye batch --engine spark` (runner.py) evaluates a list with the
spark-dialect query of `chuangye sql` (sql/query.py) — one meaning of the rules, no third compiler. Importing
this package does not import pyspark; session.py does, with a clear message when it or Java is missing."""
