"""Start Ralph's LRS (run by .venv-lrs's Python, not the app's): python tests/lrs_server.py PORT.

Ralph's file-system backend opens its statements file in "create" mode, so the store takes one POST and then
refuses every later one ("already exists"); appending is what an LRS must do, so that is set here.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
