"""The ini file of a throw-away Debian Virtuoso on loopback (for tests and ``make bench``).

Both ports bound to 127.0.0.1; ``ResultSetMaxRows`` far above our own row cap so our cap, not
Virtuoso's silent one, decides truncation; no refusal on cost estimates, so a slow query runs
into the timeout (flagged by ``X-SQL-State: S1TAT``). Virtuoso's anytime queries and
result caps: https://github.com/openlink/virtuoso-opensource/blob/develop/7/README.ANYTIME.md
"""

from pathlib import Path

_TEMPLATE = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
CheckpointInterval = 60
DirsAllowed = ., {db}, {data}, /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = {connections}
ServerThreads = {connections}
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {timeout}
DefaultQuery = ASK {{}}
"""


def virtuoso_ini(db: Path, data: Path, isql: int, http: int, *, timeout: int = 60,
                 buffers: int = 10_000, connections: int = 10) -> str:
    """The ini text: database in ``db``, bulk-loadable files in ``data``, the two ports.

    ``buffers`` are 8 KB pages (170,000 ≈ 1.3 GB keeps a 1M-triple graph in memory).
    """
    return _TEMPLATE.format(db=db, data=data, isql=isql, http=http, timeout=timeout,
                            buffers=buffers, dirty=buffers * 3 // 4, connections=connections)
