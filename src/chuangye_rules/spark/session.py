"""A SparkSession, or a clear message (exit 2) when pyspark or Java is missing."""

from __future__ import annotations

import os
import shutil

from ..base.messages import Text
from ..base.problems import InputError, make_problem

INSTALL = "pip install '.[spark]'"
JAVA = "Java 17（Debian：apt-get install openjdk-17-jre-headless）"


def require_pyspark():
    """The pyspark module; InputError in Chinese naming the install command when the spark extra (PySpark,
    pyarrow, and sqlglot, which writes the query) or Java is missing."""
    try:
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        raise InputError([make_problem("--engine spark", None, None, Text(
            "需要 PySpark、pyarrow 和 sqlglot，未安装", "PySpark, pyarrow and sqlglot are needed and not installed"),
            Text(f"在项目目录中运行 {INSTALL}，并安装 {JAVA}", f"run {INSTALL} in the project folder, and install {JAVA}"))]) from None
    if not java_available():
        raise InputError([make_problem("--engine spark", None, None, Text(
            "Spark 需要 Java（17），但找不到 java", "Spark needs Java (17) and no java was found"),
            Text(f"安装 {JAVA}或设置 JAVA_HOME；PySpark 用 {INSTALL} 安装",
                 f"install {JAVA} or set JAVA_HOME; install PySpark with {INSTALL}"))])
    import pyspark

    return pyspark


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return True
    return shutil.which("java") is not None


def spark_session(master: str | None = "local[*]", app: str = "chuangye", conf: dict[str, str] | None = None):
    """The active session if there is one (spark-submit, a notebook, the tests), else a new one on `master`
    (None: spark-submit's --master decides). Decimal arithmetic is exact or fails (ANSI), never rounded."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    settings = {"spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC",
                "spark.sql.execution.arrow.pyspark.enabled": "true", **(conf or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
