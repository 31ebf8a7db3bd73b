"""A local Azure OpenAI resource that the real SDKs cannot tell from Azure.

>>> from azure_llm_helpers.mock import MockServer
>>> with MockServer() as mock:              # doctest: +SKIP
...     print(mock.url)
"""

from .config import Deployment, MockConfig, MockConfigError, load_config
from .embedded import RunningMock, ensure_mock
from .server import MockServer, running_mock

__all__ = ["Deployment", "MockConfig", "MockConfigError", "MockServer", "RunningMock",
           "ensure_mock", "load_config", "running_mock"]
