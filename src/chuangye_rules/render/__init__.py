"""Every word users read, in Chinese and English: labels, descriptions of conditions and amounts, tables. Imports
the layers below.

For a notebook: `render.evaluation_json(evaluation, "en")` (or `evaluation_dict`) gives the `--format json`
document of an `evaluate()` result; `render.words` words its parts (amounts, reasons, exclusions)."""


def evaluation_dict(evaluation, lang: str = "zh") -> dict:
    """The `chuangye.evaluation/2` document of an evaluation as data, its texts in `lang`."""
    from .jsondoc import evaluation_dict as make

    return make(evaluation, lang)


def evaluation_json(evaluation, lang: str = "zh") -> str:
    """The `chuangye.evaluation/2` document of an evaluation, as `chuangye check --format json` prints it."""
    from .jsondoc import evaluation_json as make

    return make(evaluation, lang)
