pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.clock",
    "tests.fixtures.accounts",
    "tests.fixtures.contract",
    "tests.fixtures.postgres",
]
