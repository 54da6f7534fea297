"""Local stand-ins for what notification channels reach: a generic
webhook receiver that verifies Standard Webhooks signatures, Discord's
Execute Webhook, ntfy's JSON publishing, Gotify's POST /message and
Telegram's sendMessage. Each checks a request the way its documentation
says the real service does (tests/fixtures/notify/ holds their recorded
shapes) and answers as it would; every request is recorded with what the
check found.

    with Receivers(gotify_token="AbC", telegram_token="123:...") as r:
        r.url("/hooks/a")          # http://127.0.0.1:PORT/hooks/a
        r.fail("/hooks/b", 500)    # that path answers 500 from now on
        r.wait(lambda req: ..., timeout)

Paths: /hooks/* (webhook; a secret registered with r.secret(path, whsec)
is verified), /api/webhooks/ID/TOKEN (Discord), /ntfy/ (ntfy's root; the
topic is in the body), /gotify/message, /telegram/botTOKEN/sendMessage."""
import base64
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures", "notify")


def fixture(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        return json.load(f)


def verify_standard_webhook(secret, headers, body):
    """Standard Webhooks' verification, as its reference libraries do it:
    HMAC-SHA256 over id.timestamp.body with the base64 key after whsec_,
    any of the space-separated v1 signatures, a timestamp within 5 minutes."""
    msg_id, ts, sigs = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not (msg_id and ts and sigs):
        return "missing headers"
    if abs(time.time() - int(ts)) > 300:
        return "timestamp too far from now"
    key = base64.b64decode(secret[len("whsec_"):])
    want = base64.b64encode(hmac.new(key, b"%s.%s.%s" % (msg_id.encode(), ts.encode(), body),
                                     hashlib.sha256).digest()).decode()
    for s in sigs.split(" "):
        version, _, value = s.partition(",")
        if version == "v1" and hmac.compare_digest(value, want):
            return None
    return "bad signature"


class State:
    def __init__(self, gotify_token, telegram_token):
        self.lock = threading.Lock()
        self.requests = []
        self.failures = {}  # path prefix -> status
        self.secrets = {}   # path -> whsec_...
        self.gotify_token = gotify_token
        self.telegram_token = telegram_token
        self.ntfy_token = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, doc=None):
        data = b"" if doc is None else json.dumps(doc).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        st = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        rec = {"path": self.path, "headers": headers, "body": body, "at": time.time()}
        try:
            rec["json"] = json.loads(body)
        except ValueError:
            rec["json"] = None
        with st.lock:
            failing = next((s for p, s in st.failures.items() if self.path.startswith(p)), None)
            secret = st.secrets.get(self.path)
        if failing:
            status, doc = failing, {"error": "failing on purpose"}
        else:
            status, doc = self.route(rec, secret)
        # Recorded once whole: a test waiting for it reads the answer too.
        rec["answer"] = status
        with st.lock:
            st.requests.append(rec)
        self.reply(status, doc)

    def route(self, rec, secret):
        st, doc, path = self.server.state, rec["json"], rec["path"]
        if rec["headers"].get("content-type", "").split(";")[0] != "application/json" or not isinstance(doc, dict):
            rec["problem"] = "not a JSON object"
            return 400, {"error": "bad request"}
        if path.startswith("/hooks/"):
            if secret:
                rec["problem"] = verify_standard_webhook(secret, rec["headers"], rec["body"])
                if rec["problem"]:
                    return 401, {"error": rec["problem"]}
            return 200, {"ok": True}
        if path.startswith("/api/webhooks/"):
            # Discord: content or embeds; limits as documented.
            embeds = doc.get("embeds") or []
            if not doc.get("content") and not embeds:
                rec["problem"] = "empty"
                return 400, {"code": 50006, "message": "Cannot send an empty message"}
            if len(embeds) > 10 or any(len(e.get("title", "")) > 256 or len(e.get("description", "")) > 4096
                                       for e in embeds):
                rec["problem"] = "embed limits"
                return 400, {"code": 50035, "message": "Invalid Form Body"}
            return 204, None
        if path == "/ntfy/":
            if st.ntfy_token and rec["headers"].get("authorization") != "Bearer " + st.ntfy_token:
                rec["problem"] = "token"
                return 401, {"code": 40101, "http": 401, "error": "unauthorized"}
            if not doc.get("topic"):
                rec["problem"] = "no topic"
                return 400, {"code": 40009, "http": 400, "error": "invalid request: topic invalid"}
            answer = dict(fixture("binwiederhier_ntfy_message_full_DOCEXAMPLE.json"))
            answer.update({"topic": doc["topic"], "title": doc.get("title"), "message": doc.get("message"),
                           "click": doc.get("click"), "time": int(time.time())})
            answer.pop("attachment", None)
            return 200, answer
        if path == "/gotify/message":
            if rec["headers"].get("x-gotify-key") != st.gotify_token:
                rec["problem"] = "token"
                return 401, fixture("gotify_error_401_unauthorized_TESTEXPECTED.json")
            answer = dict(fixture("gotify_post_message_response_ASSEMBLED_FROM_SPEC.json"))
            answer.update({"title": doc.get("title"), "message": doc.get("message"),
                           "priority": doc.get("priority", 0), "extras": doc.get("extras")})
            return 200, answer
        if path.startswith("/telegram/bot") and path.endswith("/sendMessage"):
            token = path[len("/telegram/bot"):-len("/sendMessage")]
            if token != st.telegram_token:
                rec["problem"] = "token"
                return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            if not doc.get("chat_id") or not doc.get("text"):
                rec["problem"] = "chat or text"
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
            return 200, {"ok": True, "result": {"message_id": len(st.requests) + 1, "date": int(time.time()),
                                                "chat": {"id": doc["chat_id"], "type": "private"},
                                                "text": doc["text"]}}
        return 404, {"error": "not found"}


class Receivers:
    def __init__(self, gotify_token="AKl2XPn.YcN7yvj", telegram_token="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"):
        self.state = State(gotify_token, telegram_token)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state
        self.port = self.httpd.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def fail(self, prefix, status):
        with self.state.lock:
            if status:
                self.state.failures[prefix] = status
            else:
                self.state.failures.pop(prefix, None)

    def secret(self, path, whsec):
        with self.state.lock:
            self.state.secrets[path] = whsec

    def requests(self, prefix=""):
        with self.state.lock:
            return [r for r in self.state.requests if r["path"].startswith(prefix)]

    def wait(self, prefix, count=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.requests(prefix)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError("expected %d requests to %s, got %d" % (count, prefix, len(self.requests(prefix))))
