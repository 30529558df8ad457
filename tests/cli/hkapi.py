"""What the CLI tests' Python parts share: TAP-style checks closing on the
"NAME: N passed, M failed" line, and a JSON client of the API logged in
with bearer tokens (demo users' password by default)."""
import json
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
