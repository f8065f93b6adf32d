"""A tiny stand-in for the `pycouchdb` package (Debian has none), for Stalk's fixtures.

It provides exactly the calls Celery 5.2.6's CouchBackend makes
(celery/backends/couchdb.py): Server(url, authmethod=...), Server.database(),
Server.create(), Database.get(), Database.save(), Database.delete(), and the
exceptions NotFound and Conflict. Everything goes over HTTP with urllib, so the
documents in the server are exactly what Celery's backend code writes.
"""
import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from . import exceptions

__all__ = ("Server", "Database", "exceptions")


class _Http:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.base = f"{parts.scheme}://{parts.hostname}:{parts.port or 5984}"
        self.auth = None
        if parts.username:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.auth = "Basic " + token

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.auth:
            req.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(req, timeout=30) as reply:
                return json.loads(reply.read().decode() or "null")
        except urllib.error.HTTPError as err:
            text = err.read().decode(errors="replace")
            if err.code == 404:
                raise exceptions.NotFound(text) from None
            if err.code == 409:
                raise exceptions.Conflict(text) from None
            raise exceptions.Error(f"{err.code}: {text}") from None


def _quote(docid):
    return urllib.parse.quote(docid, safe="")


class Server:
    def __init__(self, base_url="http://localhost:5984/", authmethod="basic", **_ignored):
        self._http = _Http(base_url)

    def database(self, name):
        self._http.request("GET", "/" + _quote(name))
        return Database(self._http, name)

    def create(self, name):
        self._http.request("PUT", "/" + _quote(name))
        return Database(self._http, name)


class Database:
    def __init__(self, http, name):
        self._http = http
        self.name = name

    def _path(self, docid):
        return f"/{_quote(self.name)}/{_quote(docid)}"

    def get(self, docid):
        return self._http.request("GET", self._path(docid))

    def save(self, doc):
        doc = dict(doc)
        reply = self._http.request("PUT", self._path(doc["_id"]), doc)
        doc["_rev"] = reply["rev"]
        return doc

    def delete(self, doc_or_id):
        docid = doc_or_id["_id"] if isinstance(doc_or_id, dict) else doc_or_id
        current = self.get(docid)
        rev = urllib.parse.quote(current["_rev"], safe="")
        self._http.request("DELETE", self._path(docid) + "?rev=" + rev)
