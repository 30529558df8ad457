"""What the CLI tests' Python parts share: TAP-style checks closing on the
"NAME: N passed, M failed" line, a JSON client of the API logged in
with bearer tokens (demo users' password by default), and connect(), the
database of a --db URI on either backend (lib.sh's q for Python)."""
import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok - " + name)
        else:
            self.failed += 1
            print("not ok - %s %s" % (name, detail))

    def finish(self, name):
        print("%s: %d passed, %d failed" % (name, self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


class Api:
    def __init__(self, base, lang=None):
        self.base, self.lang, self.tok = base, lang, {}

    def login(self, *users, password="huikuan-demo-2026"):
        for u in users:
            req = urllib.request.Request(
                self.base + "/api/session", method="POST",
                data=json.dumps({"username": u, "password": password, "bearer": True}).encode(),
                headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                self.tok[u] = json.loads(r.read())["token"]

    def call(self, user, method, path, body=None):
        """(status, JSON body); body: an object to send as JSON, or bytes."""
        data = None if body is None else (
            body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode())
        headers = {"Authorization": "Bearer " + self.tok[user], "Content-Type": "application/json"}
        if self.lang:
            headers["Accept-Language"] = self.lang
        req = urllib.request.Request(self.base + path, method=method, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return list(self.rows)

    def __iter__(self):
        return iter(self.rows)


def _literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _bind(sql, params):
    """sql with each ? outside a quoted string replaced by its parameter."""
    out, i, quote = [], 0, None
    params = list(params)
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append(_literal(params[i]))
            i += 1
            continue
        out.append(ch)
    if i != len(params):
        raise ValueError("%d parameters for %d placeholders" % (len(params), i))
    return "".join(out)


class PgDb:
    """A PostgreSQL database read and written through one psql session
    (each statement commits on its own), with the part of sqlite3's
    connection the tests use: execute(sql, params) returning rows as
    tuples (integers as int, NULL as None; a boolean where SQLite would
    give 0 or 1 compares equal to it), executescript, commit and close.
    SQL that both dialects read alike, ? placeholders."""

    END = "hk-end-of-rows"

    def __init__(self, uri):
        self.uri = uri
        # (notices would be read as rows: warnings and errors only)
        env = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
        self.proc = subprocess.Popen(["psql", "-XAtq", uri], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)

    def _psql(self, sql):
        """The lines sql printed; an error raises."""
        self.proc.stdin.write(sql + ";\n\\echo " + self.END + "\n")
        self.proc.stdin.flush()
        lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("psql ended\n%s\n%s" % ("".join(lines), sql))
            if line.rstrip("\n") == self.END:
                break
            lines.append(line.rstrip("\n"))
        if any(l.startswith(("ERROR:", "FATAL:", "psql:")) for l in lines):
            raise RuntimeError("psql: %s\n%s" % ("\n".join(lines), sql))
        return lines

    def execute(self, sql, params=()):
        sql = _bind(sql.strip().rstrip(";"), params)
        head = sql.split(None, 1)[0].lower()
        if head not in ("select", "with", "values") and " returning " not in sql.lower():
            self._psql(sql)
            return _Rows([])
        # each row as a JSON object (on one line), its values in column order
        out = self._psql("with hk_rows as (%s) select row_to_json(hk_rows) from hk_rows" % sql)
        pairs = lambda kv: tuple(v for _, v in kv)
        return _Rows([json.loads(line, object_pairs_hook=pairs) for line in out])

    def executescript(self, sql):
        self._psql(sql)

    def commit(self):
        pass

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def connect(db):
    """The database of a --db URI: a PostgreSQL one (postgresql://...) or
    a SQLite file."""
    if db.startswith("postgresql:"):
        return PgDb(db)
    return sqlite3.connect(db)
