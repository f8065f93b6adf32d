"""The exceptions CouchBackend catches (pycouchdb.exceptions)."""


class Error(Exception):
    pass


class NotFound(Error):
    pass


class Conflict(Error):
    pass
