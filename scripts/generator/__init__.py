"""Our OpenAPI 3.0 -> Python server generator, and the pipeline that runs the pinned ones beside it.

contract.py (loading, $refs, refusals) -> operations.py (typed operation records; types.py, names.py)
-> models.py (datamodel-code-generator) -> server.py (templates/, runtime.py) -> clients.py; cli.py
runs them into a scratch folder and swaps it in. docs/generator.md is the reader's guide.
"""
