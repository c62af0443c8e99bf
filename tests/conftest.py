pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.contract",
    "tests.fixtures.postgres",
]
