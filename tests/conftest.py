pytest_plugins = ["tests.fixtures.app", "tests.fixtures.contract"]
