from zhongxinzu.api.tests.conftest import api  # noqa: F401  (the bearer-token client)
